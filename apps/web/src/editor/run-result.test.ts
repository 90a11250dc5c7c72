import { describe, expect, it } from 'vitest';
import { formatDuration, formatRunValue, NO_RESULT } from './run-result.ts';

describe('run result formatting', () => {
  it('pretty-prints the exported value as JSON', () => {
    expect(formatRunValue({ hasResult: true, result: { a: [1, 2] } })).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(formatRunValue({ hasResult: true, result: 'x' })).toBe('"x"');
  });

  it('tells a script that exported null from one that exported nothing', () => {
    expect(formatRunValue({ hasResult: true, result: null })).toBe('null');
    expect(formatRunValue({ hasResult: false, result: null })).toBe(NO_RESULT);
  });

  it('gives durations in a fitting unit', () => {
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(42_000)).toBe('42.0 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
});
