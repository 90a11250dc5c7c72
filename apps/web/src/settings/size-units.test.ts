import { describe, expect, it } from 'vitest';
import { bytesFromField, fieldFromBytes } from './size-units.ts';

const MiB = 1024 * 1024;

describe('fieldFromBytes', () => {
  it('shows a cap in MiB, or GiB when it is a whole number of them', () => {
    expect(fieldFromBytes(150 * MiB)).toEqual({ amount: '150', unit: 'MiB' });
    expect(fieldFromBytes(2048 * MiB)).toEqual({ amount: '2', unit: 'GiB' });
    expect(fieldFromBytes(1536 * MiB)).toEqual({ amount: '1536', unit: 'MiB' });
  });

  it('uses KiB below 1 MiB and rounds odd byte counts to three decimals', () => {
    expect(fieldFromBytes(512 * 1024)).toEqual({ amount: '512', unit: 'KiB' });
    expect(fieldFromBytes(MiB + 1)).toEqual({ amount: '1', unit: 'MiB' });
    expect(fieldFromBytes(1000)).toEqual({ amount: '0.977', unit: 'KiB' });
  });
});

describe('bytesFromField', () => {
  it('turns an amount and unit into whole bytes', () => {
    expect(bytesFromField({ amount: '100', unit: 'MiB' })).toEqual({ ok: true, bytes: 100 * MiB });
    expect(bytesFromField({ amount: ' 1.5 ', unit: 'GiB' })).toEqual({ ok: true, bytes: 1.5 * 1024 * MiB });
    expect(bytesFromField({ amount: '0,5', unit: 'KiB' })).toEqual({ ok: true, bytes: 512 });
  });

  it('refuses text that is not a number, saying what to enter', () => {
    const parsed = bytesFromField({ amount: 'lots', unit: 'MiB' });
    expect(parsed).toEqual({ ok: false, message: expect.stringContaining('"lots" is not a number') });
    expect(bytesFromField({ amount: '', unit: 'MiB' }).ok).toBe(false);
    expect(bytesFromField({ amount: '-3', unit: 'MiB' }).ok).toBe(false);
  });

  it('round-trips what fieldFromBytes shows', () => {
    for (const bytes of [150 * MiB, 3 * 1024 * MiB, 64 * 1024]) {
      expect(bytesFromField(fieldFromBytes(bytes))).toEqual({ ok: true, bytes });
    }
  });
});
