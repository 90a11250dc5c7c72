// What a blob request asks for once its conditional headers are read: `If-None-Match` (the client
// holds this blob: 304), `Range` guarded by `If-Range`, or the whole blob. A blob's entity-tag is
// its sha512 hex, strong by construction: the same tag always names the same bytes.
import { parseByteRange } from './byte-range.ts';

export type BlobResponsePlan = { status: 200 } | { status: 206; start: number; end: number } | { status: 304 } | { status: 416 };

export interface ConditionalHeaders {
  'if-none-match'?: string | undefined;
  'if-range'?: string | undefined;
  range?: string | undefined;
}

interface EntityTag {
  weak: boolean;
  opaque: string;
}

// One list element: an optional entity-tag, then a comma or the end (empty elements are allowed).
const LIST_ELEMENT = /[ \t]*(?:(W\/)?"([\x21\x23-\x7e\x80-\xff]*)")?[ \t]*(,|$)/y;

/** The entity-tags of an `If-None-Match` field, `'*'` for any, or null when the field is malformed. */
export function parseEntityTags(field: string): EntityTag[] | '*' | null {
  if (field.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  LIST_ELEMENT.lastIndex = 0;
  for (;;) {
    const at = LIST_ELEMENT.lastIndex;
    const match = LIST_ELEMENT.exec(field);
    if (!match) return null;
    if (match[2] !== undefined) tags.push({ weak: match[1] !== undefined, opaque: match[2] });
    if (match[3] === '') return tags;
    if (LIST_ELEMENT.lastIndex === at) return null;
  }
}

/** Whether `If-None-Match` names the blob tagged `opaque` (weak comparison, as RFC 9110 prescribes for it). */
export function ifNoneMatchHits(field: string | undefined, opaque: string): boolean {
  if (field === undefined) return false;
  const tags = parseEntityTags(field);
  if (tags === '*') return true;
  return tags !== null && tags.some((tag) => tag.opaque === opaque);
}

/**
 * Whether `If-Range` lets a range be served: absent, or exactly our strong tag. A weak tag, another
 * tag or a date (we send no Last-Modified to compare it with) means "send the whole blob instead".
 */
export function ifRangeHolds(field: string | undefined, opaque: string): boolean {
  if (field === undefined) return true;
  const tags = parseEntityTags(field);
  return Array.isArray(tags) && tags.length === 1 && !tags[0]!.weak && tags[0]!.opaque === opaque;
}

/** The answer to a GET of the blob tagged `opaque` with `size` bytes, in RFC 9110's order of evaluation. */
export function planBlobResponse(headers: ConditionalHeaders, blob: { opaque: string; size: number }): BlobResponsePlan {
  if (ifNoneMatchHits(headers['if-none-match'], blob.opaque)) return { status: 304 };
  if (!ifRangeHolds(headers['if-range'], blob.opaque)) return { status: 200 };
  const range = parseByteRange(headers.range, blob.size);
  if (range.kind === 'unsatisfiable') return { status: 416 };
  return range.kind === 'part' ? { status: 206, start: range.start, end: range.end } : { status: 200 };
}
