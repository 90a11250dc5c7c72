import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean } from './suggest.ts';

describe('closestMatch', () => {
  const commands = ['packages', 'install', 'status', 'registry', 'run', 'fsck'];

  it('suggests a word within a third of its length, or an unambiguous prefix', () => {
    expect(closestMatch('instal', commands)).toBe('install');
    expect(closestMatch('Status', commands)).toBe('status');
    expect(closestMatch('rn', commands)).toBe('run');
    expect(closestMatch('reg', commands)).toBe('registry');
  });

  it('suggests nothing for a word far from every candidate', () => {
    expect(closestMatch('frobnicate', commands)).toBeUndefined();
    expect(closestMatch('x', commands)).toBeUndefined();
  });

  it('words the hint, or leaves it empty', () => {
    expect(didYouMean('wiat', ['wait', 'json'], (o) => `--${o}`)).toBe('; did you mean --wait?');
    expect(didYouMean('zzzz', ['wait'])).toBe('');
  });
});
