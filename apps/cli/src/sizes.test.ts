import { describe, expect, it } from 'vitest';
import { parseSize } from './sizes.ts';

describe('parseSize', () => {
  it('reads binary and decimal units, with or without a space, in any case', () => {
    expect(parseSize('150MiB')).toBe(150 * 1024 ** 2);
    expect(parseSize('1.5 GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('64ki')).toBe(64 * 1024);
    expect(parseSize('500MB')).toBe(500_000_000);
    expect(parseSize('2gb')).toBe(2_000_000_000);
    expect(parseSize('1048576')).toBe(1048576);
    expect(parseSize('10 B')).toBe(10);
  });

  it('refuses zero, negative, unknown units and junk', () => {
    for (const bad of ['0', '0MiB', '-5MiB', '150 parsecs', 'MiB', '', '1e6', '1.2.3MB']) expect(parseSize(bad), bad).toBeNull();
  });
});
