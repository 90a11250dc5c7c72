// `GET /blobs/<sha512 hex>`: tarball bytes for reconcilers on other hosts, read through the one
// verifying reader. Content-addressed, so cacheable forever; bytes that fail verification cut the
// response short (the connection is destroyed), so no client or cache ever sees them complete.
import { pipeline } from 'node:stream/promises';
import { BLOB_PREFIX, hexToIntegrity, SpkError } from '@spk/common';
import { missingBlobError } from '../blob-stores/missing-blob.ts';
import { openPublishedBlob, type PublishedBlobDeps } from '../blob-stores/published-blob.ts';
import { sendJsonError, type HttpRoute } from './http-route.ts';

export function createBlobRoute(deps: PublishedBlobDeps): HttpRoute {
  return {
    method: 'GET',
    prefix: BLOB_PREFIX,
    async handle(_req, res, { subpath }) {
      const hex = subpath.replace(/^\//, '');
      let integrity: string;
      try {
        integrity = hexToIntegrity(hex);
      } catch (error) {
        return sendJsonError(res, 400, 'INVALID_INPUT', (error as SpkError).message);
      }
      const blob = await openPublishedBlob(deps, integrity);
      if (!blob) return sendJsonError(res, 404, 'BLOB_MISSING', (await missingBlobError(deps, integrity)).message);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(blob.size),
        'cache-control': 'private, max-age=31536000, immutable',
        etag: `"${hex}"`,
      });
      // On a mismatch the pipeline destroys the response (and its socket) and rethrows for the log.
      await pipeline(blob.stream, res);
    },
  };
}
