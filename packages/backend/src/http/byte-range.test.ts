import { describe, expect, it } from 'vitest';
import { parseByteRange } from './byte-range.ts';

describe('parseByteRange', () => {
  const size = 1000;

  it('reads first-last, open-ended and suffix ranges, clamping past the end', () => {
    expect(parseByteRange('bytes=0-99', size)).toEqual({ kind: 'part', start: 0, end: 99 });
    expect(parseByteRange('bytes=500-', size)).toEqual({ kind: 'part', start: 500, end: 999 });
    expect(parseByteRange('bytes=-100', size)).toEqual({ kind: 'part', start: 900, end: 999 });
    expect(parseByteRange('bytes=900-5000', size)).toEqual({ kind: 'part', start: 900, end: 999 });
    expect(parseByteRange('bytes=-5000', size)).toEqual({ kind: 'part', start: 0, end: 999 });
    expect(parseByteRange('Bytes = 10 - 10', size)).toEqual({ kind: 'part', start: 10, end: 10 });
    expect(parseByteRange('bytes=999-', size)).toEqual({ kind: 'part', start: 999, end: 999 });
  });

  it('refuses a range starting at or past the end, and an empty suffix', () => {
    expect(parseByteRange('bytes=1000-', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=1000-2000', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=99999999999999999999999-', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=-0', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseByteRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores a missing, malformed or multi-range header, so the whole blob is sent', () => {
    for (const header of [undefined, '', 'bytes=', 'bytes=-', 'bytes=5-2', 'bytes=0-1,5-6', 'items=0-5', 'bytes=a-b', 'bytes 0-5', 'bytes=0-1,']) {
      expect(parseByteRange(header, size), String(header)).toEqual({ kind: 'whole' });
    }
  });
});
