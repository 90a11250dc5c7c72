import { describe, expect, it } from 'vitest';
import { describeSecret, NOT_SET } from './masked-secret.ts';

describe('describeSecret', () => {
  it('shows the masked form the API gives, word for word', () => {
    expect(describeSecret('set, ends in …wxyz')).toBe('set, ends in …wxyz');
    expect(describeSecret('set')).toBe('set');
  });

  it('says "not set" when there is no secret', () => {
    expect(describeSecret(null)).toBe(NOT_SET);
    expect(describeSecret(undefined)).toBe(NOT_SET);
  });

  it('never shows a value that is not in the masked form', () => {
    expect(describeSecret('npm_abcdefghijklmnopqrstuvwxyz')).toBe('set');
    expect(describeSecret('set, ends in …npm_abcdefghijklmnop')).toBe('set');
    expect(describeSecret('set, ends in …ab cd')).toBe('set');
  });
});
