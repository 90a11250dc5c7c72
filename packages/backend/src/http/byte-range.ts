// Reads a `Range` request header against a blob's size, so an interrupted pull resumes where it
// stopped. One range only: several ranges, other units or malformed headers are ignored and the
// whole blob is sent, as RFC 9110 (section 14.2) allows; a range wholly past the end is refused.

export type ByteRange =
  /** No usable Range: send the whole blob. */
  | { kind: 'whole' }
  /** Send bytes `start`..`end` inclusive. */
  | { kind: 'part'; start: number; end: number }
  /** Nothing of the blob lies in the range: 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' };

const WHOLE: ByteRange = { kind: 'whole' };
const UNSATISFIABLE: ByteRange = { kind: 'unsatisfiable' };
// One `first-last`, `first-` or `-suffix` range in bytes; a comma (a second range) fails the match.
const SINGLE_RANGE = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i;

export function parseByteRange(header: string | undefined, size: number): ByteRange {
  const match = header === undefined ? null : SINGLE_RANGE.exec(header);
  if (!match) return WHOLE;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return WHOLE;
  // Digits too long for exact numbers still compare correctly against a blob size (< 2^53).
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return UNSATISFIABLE;
    return { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (end < start) return WHOLE; // an invalid range-spec, not an unsatisfiable one
  if (start >= size) return UNSATISFIABLE;
  return { kind: 'part', start, end: Math.min(end, size - 1) };
}
