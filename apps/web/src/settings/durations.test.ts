import { describe, expect, it } from 'vitest';
import { formatDuration, formatEta, percentDone } from './durations.ts';

describe('formatDuration', () => {
  it('picks the unit by size', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(10 * 60_000)).toBe('10 min');
    expect(formatDuration(6 * 3_600_000)).toBe('6 h');
    expect(formatDuration(90 * 60_000)).toBe('1 h 30 min');
    expect(formatDuration(24 * 3_600_000)).toBe('24 h');
    expect(formatDuration(3 * 24 * 3_600_000)).toBe('3 d');
    expect(formatDuration(50 * 3_600_000)).toBe('2 d 2 h');
  });
});

describe('formatEta', () => {
  it('says when the time left is not known', () => {
    expect(formatEta(null)).toBe('time left not known yet');
  });

  it('reads as time left', () => {
    expect(formatEta(0.2)).toBe('almost done');
    expect(formatEta(12.3)).toBe('about 13 s left');
    expect(formatEta(185)).toBe('about 3 min left');
    expect(formatEta(7200)).toBe('about 2 h left');
  });
});

describe('percentDone', () => {
  it('rounds down and treats an empty job as done', () => {
    expect(percentDone(999, 1000)).toBe(99);
    expect(percentDone(1000, 1000)).toBe(100);
    expect(percentDone(0, 0)).toBe(100);
    expect(percentDone(3, 10)).toBe(30);
  });
});
