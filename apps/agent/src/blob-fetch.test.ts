import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOB_PREFIX } from '@spk/common';
import { startBlobFaultProxy, startLoopbackServer, type BlobFaultProxy, type LoopbackServer } from '@spk/tools';
import { createBlobFetcher } from './blob-fetch.ts';

const TOKEN = 'sat_test_token_0123456789';
const blob = randomBytes(256 * 1024);
const digest = createHash('sha512').update(blob);
const hex = digest.copy().digest('hex');
const integrity = `sha512-${digest.digest('base64')}`;

/** A stand-in core serving one blob, with or without Range support. */
function serveBlob(rangeSupport: () => boolean) {
  return startLoopbackServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return res.writeHead(401).end();
    if (req.url !== `${BLOB_PREFIX}/${hex}`) return res.writeHead(404).end();
    const headers = { 'content-type': 'application/octet-stream', etag: `"${hex}"` };
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && rangeSupport() && req.headers['if-range'] === `"${hex}"`) {
      const start = Number(range[1]);
      res.writeHead(206, { ...headers, 'content-length': String(blob.length - start), 'content-range': `bytes ${start}-${blob.length - 1}/${blob.length}` });
      return res.end(blob.subarray(start));
    }
    res.writeHead(200, { ...headers, 'content-length': String(blob.length) });
    res.end(blob);
  });
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe('pulling a blob from the core', () => {
  let ranges = true;
  let core: LoopbackServer;
  let proxy: BlobFaultProxy;
  beforeAll(async () => {
    core = await serveBlob(() => ranges);
    proxy = await startBlobFaultProxy(core.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await core?.close();
  });

  const fetcher = (counter = { bytes: 0 }) => createBlobFetcher({ serverUrl: proxy.url, token: TOKEN, onBytes: (n) => (counter.bytes += n) });

  it('resumes a response cut short with Range + If-Range, and hands on exactly the blob', async () => {
    ranges = true;
    proxy.inject(hex, { kind: 'cut', afterBytes: 100_000 });
    const seen = proxy.blobRequests.length;
    const counter = { bytes: 0 };
    const bytes = await collect(await fetcher(counter)(integrity));
    expect(bytes.equals(blob)).toBe(true);
    const requests = proxy.blobRequests.slice(seen);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ range: null, fault: 'cut' });
    expect(requests[1]).toMatchObject({ status: 206, ifRange: `"${hex}"` });
    expect(Number(/^bytes=(\d+)-$/.exec(requests[1]!.range!)?.[1])).toBeGreaterThan(0);
    // Only what crossed the wire: less than twice the blob, at least the blob.
    expect(counter.bytes).toBeGreaterThanOrEqual(blob.length);
    expect(counter.bytes).toBeLessThan(blob.length * 2);
  });

  it('handles a core that answers a Range request with the whole blob, skipping what it already passed on', async () => {
    ranges = false;
    proxy.inject(hex, { kind: 'cut', afterBytes: 70_000 }, { kind: 'cut', afterBytes: 150_000 });
    const seen = proxy.blobRequests.length;
    const bytes = await collect(await fetcher()(integrity));
    expect(bytes.equals(blob)).toBe(true);
    expect(proxy.blobRequests.slice(seen).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('passes a corrupted body on unchanged, for the reconciler to refuse', async () => {
    ranges = true;
    proxy.inject(hex, { kind: 'corrupt' });
    const bytes = await collect(await fetcher()(integrity));
    expect(bytes.length).toBe(blob.length);
    expect(bytes.equals(blob)).toBe(false);
  });

  it('fails at once with UNAUTHORIZED on a refused token, and BLOB_MISSING on an unknown blob, never retrying them', async () => {
    const wrong = createBlobFetcher({ serverUrl: proxy.url, token: 'wrong' });
    await expect(wrong(integrity)).rejects.toMatchObject({ code: 'UNAUTHORIZED', details: { status: 401 } });
    const other = `sha512-${createHash('sha512').update('other').digest('base64')}`;
    await expect(fetcher()(other)).rejects.toMatchObject({ code: 'BLOB_MISSING' });
  });

  it('gives up after the allowed number of resumes', async () => {
    ranges = true;
    // The first request and both resumes are cut.
    proxy.inject(hex, ...Array.from({ length: 3 }, () => ({ kind: 'cut' as const, afterBytes: 1_000 })));
    const seen = proxy.blobRequests.length;
    const limited = createBlobFetcher({ serverUrl: proxy.url, token: TOKEN, maxResumes: 2 });
    await expect(collect(await limited(integrity))).rejects.toThrow();
    expect(proxy.blobRequests.length - seen).toBe(3);
  });
});
