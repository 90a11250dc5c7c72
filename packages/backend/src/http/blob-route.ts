// `GET /blobs/<sha512 hex>`: tarball bytes for reconcilers on other hosts (satellites), read through
// the one verifying reader and shared by every concurrent request (see blob-serving-cache.ts).
// Content-addressed, so the hex is a strong ETag and the response cacheable forever; `Range` lets an
// interrupted pull resume. Bytes that fail verification are never sent complete: a response already
// streaming is cut short (the connection is destroyed), one not yet started gets an error status.
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BLOB_PREFIX, hexToIntegrity, isSpkError, SpkError } from '@spk/common';
import { missingBlobError } from '../blob-stores/missing-blob.ts';
import { openPublishedBlob, type PublishedBlobDeps } from '../blob-stores/published-blob.ts';
import { silentLogger, type Logger } from '../services.ts';
import { createBlobServingCache, type BlobServingCacheOptions, type SharedBlob } from './blob-serving-cache.ts';
import { planBlobResponse } from './conditional-request.ts';
import { sendCodedError, sendJsonError, type HttpRoute } from './http-route.ts';

export interface BlobRouteOptions extends BlobServingCacheOptions {
  logger?: Logger;
}

/** Answers a failure that happened before any byte was sent; anything but our own errors is the server's to log. */
function sendFailure(res: ServerResponse, error: unknown): void {
  if (!isSpkError(error)) throw error;
  sendCodedError(res, error);
}

async function* replay(first: IteratorResult<Buffer>, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  for (let next = first; !next.done; next = await rest.next()) yield next.value;
}

/** Streams the whole blob, sending the head only once a verified chunk (or the end) is there, so an early failure gets a status. */
async function sendWhole(res: ServerResponse, blob: SharedBlob, headers: Record<string, string>): Promise<void> {
  const chunks = blob.chunks()[Symbol.asyncIterator]();
  let first: IteratorResult<Buffer>;
  try {
    first = await chunks.next();
  } catch (error) {
    return sendFailure(res, error);
  }
  res.writeHead(200, { ...headers, 'content-length': String(blob.size), 'accept-ranges': 'bytes' });
  try {
    // On a mismatch the pipeline destroys the response (and its socket): the client sees it cut short.
    await pipeline(Readable.from(replay(first, chunks)), res);
  } catch (error) {
    // The cache logged the damaged blob once; the other failures (a client gone) are the server's to log.
    if (!isSpkError(error, 'INTEGRITY_MISMATCH')) throw error;
  }
}

export function createBlobRoute(deps: PublishedBlobDeps, options: BlobRouteOptions = {}): HttpRoute {
  const cache = createBlobServingCache({ open: (integrity) => openPublishedBlob(deps, integrity), logger: options.logger ?? silentLogger }, options);
  return {
    method: 'GET',
    prefix: BLOB_PREFIX,
    permissions: ['read', 'satellite'],
    async handle(req, res, { subpath }) {
      const hex = subpath.replace(/^\//, '');
      let integrity: string;
      try {
        integrity = hexToIntegrity(hex);
      } catch (error) {
        return sendCodedError(res, error as SpkError);
      }
      // The index answers what the conditional headers need (is it published, how big) without a store read.
      const entry = await deps.blobIndex.get(integrity);
      if (!entry) return sendCodedError(res, await missingBlobError(deps, integrity));
      const headers = { 'content-type': 'application/octet-stream', 'cache-control': 'private, max-age=31536000, immutable', etag: `"${hex}"` };
      const plan = planBlobResponse(req.headers, { opaque: hex, size: entry.size });
      if (plan.status === 304) {
        res.writeHead(304, { 'cache-control': headers['cache-control'], etag: headers.etag });
        return void res.end();
      }
      if (plan.status === 416) {
        const message = `the requested range lies outside blob ${hex}, which has ${entry.size} bytes; ask for a range starting below ${entry.size}, or for the whole blob`;
        return sendJsonError(res, 416, 'INVALID_INPUT', message, { 'content-range': `bytes */${entry.size}` });
      }
      let blob: SharedBlob | null;
      try {
        blob = await cache.open(integrity);
      } catch (error) {
        return sendFailure(res, error);
      }
      if (!blob) return sendCodedError(res, await missingBlobError(deps, integrity));
      if (plan.status === 200) return sendWhole(res, blob, headers);
      // A range needs the whole blob verified first: no byte of a blob that fails is ever sent.
      let bytes: Buffer;
      try {
        bytes = await blob.whole();
      } catch (error) {
        return sendFailure(res, error);
      }
      res.writeHead(206, {
        ...headers,
        'content-length': String(plan.end - plan.start + 1),
        'content-range': `bytes ${plan.start}-${plan.end}/${blob.size}`,
        'accept-ranges': 'bytes',
      });
      res.end(bytes.subarray(plan.start, plan.end + 1));
    },
  };
}
