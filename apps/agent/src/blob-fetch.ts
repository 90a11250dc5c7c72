// Pulls one blob from the core (`GET /blobs/<hex>` with the satellite token) as a stream for the
// reconciler, which verifies its sha512 before anything lands. A response cut short is resumed
// where it stopped with `Range` + `If-Range`; a core that answers a Range request with the whole
// blob (no Range support, or the validator changed) is read from the start, skipping what was
// already passed on: a blob is named by its hash, so its bytes are the same.
import { BLOB_PREFIX, integrityToHex, SpkError } from '@spk/common';

export interface BlobFetchOptions {
  serverUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Fresh requests after a cut, per blob (default 5). */
  maxResumes?: number;
  /** A response that sends nothing for this long is cut and resumed (default 30 s). */
  idleTimeoutMs?: number;
  /** Bytes received from the core, as they arrive (for the report's lastPull). */
  onBytes?: (count: number) => void;
}

/** A failed blob request, with the HTTP status when the core answered. */
export class BlobHttpError extends SpkError {
  readonly status: number;
  constructor(status: number, message: string) {
    super(status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'FORBIDDEN' : status === 404 ? 'BLOB_MISSING' : 'INTERNAL', message, { status });
    this.status = status;
  }
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

export function createBlobFetcher(options: BlobFetchOptions) {
  const fetchImpl = options.fetch ?? fetch;
  const maxResumes = options.maxResumes ?? 5;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;

  async function request(url: string, have: number, etag: string | null, controller: AbortController): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
    if (have > 0) {
      headers.range = `bytes=${have}-`;
      if (etag) headers['if-range'] = etag;
    }
    const response = await fetchImpl(url, { headers, signal: controller.signal });
    if (response.status === 200 || response.status === 206) return response;
    await response.body?.cancel().catch(() => undefined);
    const what = `GET ${new URL(url).pathname.slice(0, BLOB_PREFIX.length + 13)}… answered HTTP ${response.status}`;
    if (response.status === 401) throw new BlobHttpError(401, `${what}: the core refused the satellite token (revoked or wrong)`);
    if (response.status === 403) throw new BlobHttpError(403, `${what}: the token may not download blobs`);
    if (response.status === 404) throw new BlobHttpError(404, `${what}: the core does not have this blob (any more); the next reconcile asks for the current desired state`);
    throw new BlobHttpError(response.status, what);
  }

  /** Bytes of `response` from offset `have` on, given where the response starts. */
  function startOffset(response: Response, have: number): number {
    if (response.status === 200) return 0;
    const match = CONTENT_RANGE.exec(response.headers.get('content-range') ?? '');
    if (!match) throw new SpkError('INTERNAL', `the core answered a Range request with 206 but no usable Content-Range ("${response.headers.get('content-range')}")`);
    const start = Number(match[1]);
    if (start > have) throw new SpkError('INTERNAL', `the core answered bytes from ${start}, but ${have} were asked for`);
    return start;
  }

  async function* pull(url: string, first: Response, firstController: AbortController): AsyncGenerator<Uint8Array> {
    let have = 0;
    let response = first;
    let controller = firstController;
    let etag = response.headers.get('etag');
    const total = Number(response.headers.get('content-length') ?? NaN);
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(new Error(`no bytes for ${idleTimeoutMs} ms`)), idleTimeoutMs);
    };
    try {
      for (let resumes = 0; ; resumes++) {
        let skip = have - startOffset(response, have);
        try {
          if (!response.body) throw new SpkError('INTERNAL', 'the core answered a blob request without a body');
          arm();
          for await (const chunk of response.body) {
            arm();
            options.onBytes?.(chunk.byteLength);
            if (skip >= chunk.byteLength) {
              skip -= chunk.byteLength;
              continue;
            }
            const fresh = skip > 0 ? chunk.subarray(skip) : chunk;
            skip = 0;
            have += fresh.byteLength;
            yield fresh;
          }
          // A body that ends early without an error (a proxy closing cleanly) is a cut too.
          if (Number.isNaN(total) || have >= total) return;
          throw new Error(`the response ended after ${have} of ${total} bytes`);
        } catch (error) {
          clearTimeout(idle);
          controller.abort();
          if (error instanceof SpkError || resumes >= maxResumes) throw error;
          controller = new AbortController();
          response = await request(url, have, etag, controller);
          etag = response.headers.get('etag') ?? etag;
        }
      }
    } finally {
      // Also when the reader stops early (a sibling download failed): free the connection.
      clearTimeout(idle);
      controller.abort();
    }
  }

  /** The reconciler's FetchBlob: opens the request at once, so a refusal fails the fetch itself. */
  return async function fetchBlob(integrity: string): Promise<AsyncIterable<Uint8Array>> {
    const url = `${options.serverUrl}${BLOB_PREFIX}/${integrityToHex(integrity)}`;
    const controller = new AbortController();
    const first = await request(url, 0, null, controller);
    return pull(url, first, controller);
  };
}
