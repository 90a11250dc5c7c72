// Fetches the tarballs the blob store does not have yet, with bounded concurrency, verifying
// each against the registry's integrity (pacote) and computing the sha512 we key blobs by.
import pacote from 'pacote';
import ssri from 'ssri';
import type { ResolvedNode } from './resolve-tree.ts';
import { toResolveError } from './resolve-tree.ts';

export interface FetchedTarball {
  integrity: string;
  bytes: Uint8Array;
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function fetchTarball(node: ResolvedNode, npmOptions: Record<string, unknown>): Promise<FetchedTarball> {
  let data: Buffer;
  try {
    data = await pacote.tarball(node.resolved, {
      ...npmOptions,
      ...(node.registryIntegrity ? { integrity: node.registryIntegrity } : {}),
      preferOnline: true,
    } as pacote.Options);
  } catch (error) {
    throw toResolveError(Object.assign(error as object, { pkgid: `${node.name}@${node.version}` }), String(npmOptions.registry));
  }
  const integrity = ssri.fromData(data, { algorithms: ['sha512'] }).toString();
  return { integrity, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
