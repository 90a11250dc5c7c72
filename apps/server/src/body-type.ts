// The API reads request bodies as JSON only. oRPC would turn a form, plain-text or XML body into
// input of its own making (a urlencoded form declared a package), so any other media type is
// refused with 415 from the headers, before a handler runs or a body byte is read.
import type { IncomingHttpHeaders } from 'node:http';
import { codedRefusal, type Refusal } from './early-refusal.ts';

export const API_BODY_TYPE = 'application/json';

function hasBody(headers: IncomingHttpHeaders): boolean {
  return Number(headers['content-length'] ?? 0) > 0 || headers['transfer-encoding'] !== undefined;
}

/**
 * The 415 for a request whose body is not JSON, or null when it may go on. oRPC's RPC link sends
 * multipart only for File/Blob inputs, which no procedure takes, so the CLI always sends JSON.
 */
export function bodyTypeRefusal(headers: IncomingHttpHeaders): Refusal | null {
  if (!hasBody(headers)) return null;
  const declared = headers['content-type']?.trim() ?? '';
  const mediaType = declared.split(';')[0]!.trim().toLowerCase();
  if (mediaType === API_BODY_TYPE) return null;
  const got = mediaType === '' ? 'a body without a Content-Type' : `a body of type "${mediaType}"`;
  return codedRefusal(
    'UNSUPPORTED_MEDIA_TYPE',
    `this API takes request bodies as ${API_BODY_TYPE} only, and got ${got}; send the input as JSON with "Content-Type: ${API_BODY_TYPE}"`,
  );
}
