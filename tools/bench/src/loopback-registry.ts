// A registry on loopback for the reference installers (bun, pnpm, npm): the set's packuments,
// fetched once from the source registry and trimmed to the versions the set resolved to (so every
// tool resolves exactly our versions), with tarball URLs pointing here and tarballs served from
// memory. The reconcile worker can fetch blobs from it too (`--blobs http`).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pacote from 'pacote';
import semver from 'semver';
import { integrityToHex, type ManifestEntry } from '@spk/common';
import { mapConcurrent } from '@spk/reconciler';

export interface LoopbackRegistry {
  url: string;
  /** Where this server serves the blob of `integrity`. */
  blobUrl(integrity: string): string;
  close(): Promise<void>;
}

type VersionDoc = Record<string, unknown> & { dist?: Record<string, unknown> };

const BLOB_PREFIX = '/-/blob/';

async function trimmedPackuments(sourceRegistry: string, entries: readonly ManifestEntry[], blobs: ReadonlyMap<string, Uint8Array>, blobUrl: (integrity: string) => string) {
  const wanted = new Map<string, ManifestEntry[]>();
  for (const entry of entries) wanted.set(entry.name, [...(wanted.get(entry.name) ?? []), entry]);
  const docs = new Map<string, Buffer>();
  await mapConcurrent([...wanted], 8, async ([name, versions]) => {
    const packument = await pacote.packument(name, { registry: sourceRegistry, fullMetadata: false });
    const kept: Record<string, VersionDoc> = {};
    for (const entry of versions) {
      const doc = packument.versions[entry.version] as unknown as VersionDoc | undefined;
      if (!doc) throw new Error(`${sourceRegistry} no longer lists ${entry.name}@${entry.version}`);
      const bytes = blobs.get(entry.integrity);
      if (!bytes) throw new Error(`no tarball for ${entry.name}@${entry.version}`);
      // Our integrity is a sha512 of these very bytes; the sha1 is recomputed for tools that check it.
      const shasum = createHash('sha1').update(bytes).digest('hex');
      kept[entry.version] = { ...doc, dist: { tarball: blobUrl(entry.integrity), integrity: entry.integrity, shasum } };
    }
    const latest = semver.rsort(Object.keys(kept))[0]!;
    docs.set(name, Buffer.from(JSON.stringify({ name, 'dist-tags': { latest }, versions: kept, modified: new Date(0).toISOString() })));
  });
  return docs;
}

/** Serves `packumentEntries`' packuments and every blob in `blobs`; fetches the packuments before it answers. */
export async function startLoopbackRegistry(options: {
  sourceRegistry: string;
  packumentEntries: readonly ManifestEntry[];
  blobs: ReadonlyMap<string, Uint8Array>;
}): Promise<LoopbackRegistry> {
  const byHex = new Map([...options.blobs].map(([integrity, bytes]) => [integrityToHex(integrity), bytes]));
  let packuments = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://loopback').pathname);
    const body = pathname.startsWith(BLOB_PREFIX) ? byHex.get(pathname.slice(BLOB_PREFIX.length).replace(/\.tgz$/, '')) : packuments.get(pathname.slice(1));
    if (!body) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const type = pathname.startsWith(BLOB_PREFIX) ? 'application/octet-stream' : 'application/json';
    res.writeHead(200, { 'content-type': type, 'content-length': body.byteLength });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const blobUrl = (integrity: string) => `${url}${BLOB_PREFIX}${integrityToHex(integrity)}.tgz`;
  try {
    packuments = await trimmedPackuments(options.sourceRegistry, options.packumentEntries, options.blobs, blobUrl);
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    url: `${url}/`,
    blobUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
