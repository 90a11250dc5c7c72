import { describe, expect, it } from 'vitest';
import { ifNoneMatchHits, ifRangeHolds, parseEntityTags, planBlobResponse } from './conditional-request.ts';

const tag = 'ab12';
const blob = { opaque: tag, size: 100 };

describe('entity-tag lists', () => {
  it('parses lists with weak tags, empty elements and commas inside tags, and rejects junk', () => {
    expect(parseEntityTags('*')).toBe('*');
    expect(parseEntityTags(' "a", W/"b" ,, "c,d"')).toEqual([
      { weak: false, opaque: 'a' },
      { weak: true, opaque: 'b' },
      { weak: false, opaque: 'c,d' },
    ]);
    expect(parseEntityTags('a')).toBeNull();
    expect(parseEntityTags('"a" "b"')).toBeNull();
    expect(parseEntityTags('"a')).toBeNull();
  });

  it('If-None-Match hits on our tag anywhere in a list, weak or strong, and on *', () => {
    expect(ifNoneMatchHits(`"${tag}"`, tag)).toBe(true);
    expect(ifNoneMatchHits(`"x", W/"${tag}"`, tag)).toBe(true);
    expect(ifNoneMatchHits('*', tag)).toBe(true);
    expect(ifNoneMatchHits('"x", "y"', tag)).toBe(false);
    expect(ifNoneMatchHits(tag, tag)).toBe(false);
    expect(ifNoneMatchHits(undefined, tag)).toBe(false);
  });

  it('If-Range holds only for our exact strong tag', () => {
    expect(ifRangeHolds(undefined, tag)).toBe(true);
    expect(ifRangeHolds(`"${tag}"`, tag)).toBe(true);
    expect(ifRangeHolds(`W/"${tag}"`, tag)).toBe(false);
    expect(ifRangeHolds('"other"', tag)).toBe(false);
    expect(ifRangeHolds('Wed, 21 Oct 2015 07:28:00 GMT', tag)).toBe(false);
  });
});

describe('planBlobResponse', () => {
  it('answers 304 before looking at a range', () => {
    expect(planBlobResponse({ 'if-none-match': `"${tag}"`, range: 'bytes=500-' }, blob)).toEqual({ status: 304 });
  });

  it('serves a range, refuses one past the end, and sends the whole blob for no range', () => {
    expect(planBlobResponse({ range: 'bytes=10-19' }, blob)).toEqual({ status: 206, start: 10, end: 19 });
    expect(planBlobResponse({ range: 'bytes=100-' }, blob)).toEqual({ status: 416 });
    expect(planBlobResponse({}, blob)).toEqual({ status: 200 });
    expect(planBlobResponse({ 'if-none-match': '"other"' }, blob)).toEqual({ status: 200 });
  });

  it('sends the whole blob when If-Range names another tag, and the range when it names ours', () => {
    expect(planBlobResponse({ range: 'bytes=10-', 'if-range': '"other"' }, blob)).toEqual({ status: 200 });
    expect(planBlobResponse({ range: 'bytes=100-', 'if-range': '"other"' }, blob)).toEqual({ status: 200 });
    expect(planBlobResponse({ range: 'bytes=10-', 'if-range': `"${tag}"` }, blob)).toEqual({ status: 206, start: 10, end: 99 });
  });
});
