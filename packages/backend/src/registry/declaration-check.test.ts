import { describe, expect, it } from 'vitest';
import { searchTerms } from './declaration-check.ts';

describe('searchTerms', () => {
  it('searches for the name, the name minus its last letter and its words, at most four searches', () => {
    expect(searchTerms('zodd')).toEqual(['zodd', 'zod']);
    expect(searchTerms('@acme/left-padd')).toEqual(['@acme/left-padd', 'left-pad', 'left', 'padd']);
    expect(searchTerms('spk-fixture-esn')).toEqual(['spk-fixture-esn', 'spk-fixture-es', 'spk', 'fixture']);
  });
});
