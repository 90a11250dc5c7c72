// `GET /blobs/<sha512 hex>`: tarball bytes for reconcilers on other hosts, from whichever store
// the blob index says holds them. Content-addressed, so cacheable forever.
import { pipeline } from 'node:stream/promises';
import { BLOB_PREFIX, hexToIntegrity, SpkError } from '@spk/common';
import type { BlobStoreRegistry } from '../blob-stores/blob-store.ts';
import type { BlobIndexStore } from '../stores/blob-index-store.ts';
import { sendJsonError, type HttpRoute } from './http-route.ts';

export function createBlobRoute(deps: { blobIndex: BlobIndexStore; blobStores: BlobStoreRegistry }): HttpRoute {
  return {
    method: 'GET',
    prefix: BLOB_PREFIX,
    async handle(_req, res, { subpath }) {
      let integrity: string;
      try {
        integrity = hexToIntegrity(subpath.replace(/^\//, ''));
      } catch (error) {
        return sendJsonError(res, 400, 'INVALID_INPUT', (error as SpkError).message);
      }
      const entry = await deps.blobIndex.get(integrity);
      const stream = entry ? await deps.blobStores.get(entry.storeId).getStream(integrity) : null;
      if (!entry || !stream) return sendJsonError(res, 404, 'BLOB_MISSING', `no blob ${integrity} is published; run an install first`);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(entry.size),
        'cache-control': 'private, max-age=31536000, immutable',
        etag: `"${subpath.replace(/^\//, '')}"`,
      });
      await pipeline(stream, res);
    },
  };
}
