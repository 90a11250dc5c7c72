import { describe, expect, it } from 'vitest';
import { cappedLookupWarnings } from './types-step.ts';

describe('cappedLookupWarnings', () => {
  it('names the first failed lookups and counts the rest on one line, after what else was warned', () => {
    const warnings = ['a size warning'];
    const warn = cappedLookupWarnings(warnings, 2);
    for (const name of ['a', 'b', 'c', 'd', 'e']) warn(`looking up @types/${name} failed`);
    expect(warnings).toEqual([
      'a size warning',
      'looking up @types/a failed',
      'looking up @types/b failed',
      '3 more lookups of types failed; installed without them (the server log names each package)',
    ]);
  });

  it('adds no count line while every failure is named', () => {
    const warnings: string[] = [];
    const warn = cappedLookupWarnings(warnings, 2);
    warn('one');
    warn('two');
    expect(warnings).toEqual(['one', 'two']);
  });
});
