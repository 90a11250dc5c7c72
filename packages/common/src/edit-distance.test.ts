import { describe, expect, it } from 'vitest';
import { closeMatches, editDistance } from './edit-distance.ts';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and an adjacent swap as one edit each', () => {
    expect(editDistance('zod', 'zodd')).toBe(1);
    expect(editDistance('zodd', 'zod')).toBe(1);
    expect(editDistance('zod', 'zad')).toBe(1);
    expect(editDistance('lodash', 'lodahs')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('closeMatches', () => {
  it('keeps only the nearest candidates within a third of the word, letter case alone nearest of all', () => {
    expect(closeMatches('zodd', ['zod', 'todd', 'react', 'zodd'])).toEqual(['todd', 'zod']);
    expect(closeMatches('Zod', ['zod', 'god', 'zoo'])).toEqual(['zod']);
    expect(closeMatches('spk-fixture-esn', ['spk-fixture-esm', 'spk-fixture-cjs', 'spk-fixture-bin'])).toEqual(['spk-fixture-esm']);
    expect(closeMatches('express', ['react', 'vue'])).toEqual([]);
  });
});
