import { describe, expect, it } from 'vitest';
import { createHookCoverage } from './hook-coverage.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('which change hooks a convergence round answers', () => {
  it('a hook heard while the round reads is answered when it names the hash the read returned', () => {
    const coverage = createHookCoverage();
    coverage.began();
    expect(coverage.hook(A)).toBe(false);
    expect(coverage.hook(A)).toBe(false);
    coverage.read(A);
    coverage.reached(A);
    expect(coverage.ended()).toBe(false);
  });

  it('a hook heard while the round reads that names another hash gets one more round (the read may predate its commit)', () => {
    const coverage = createHookCoverage();
    coverage.began();
    expect(coverage.hook(B)).toBe(false);
    coverage.read(A);
    coverage.reached(A);
    expect(coverage.ended()).toBe(true);
  });

  it('a round whose read failed owes a round to every hook heard meanwhile', () => {
    const coverage = createHookCoverage();
    coverage.began();
    coverage.hook(A);
    expect(coverage.ended()).toBe(true);
  });

  it('after the read, hooks naming the state being built are answered, and others are not', () => {
    const coverage = createHookCoverage();
    coverage.began();
    coverage.read(A);
    expect(coverage.hook(A)).toBe(false);
    expect(coverage.hook(B)).toBe(true);
  });

  it('a round that fails to build a state a hook named meanwhile owes it one more round; one that succeeds does not', () => {
    const failing = createHookCoverage();
    failing.began();
    failing.read(A);
    failing.hook(A);
    expect(failing.ended()).toBe(true);

    const succeeding = createHookCoverage();
    succeeding.began();
    succeeding.read(A);
    succeeding.hook(A);
    succeeding.reached(A);
    expect(succeeding.ended()).toBe(false);
  });

  it('between rounds, a hook naming the tree the host reached needs none, one naming a state it failed to reach does', () => {
    const coverage = createHookCoverage();
    coverage.began();
    coverage.read(A);
    coverage.reached(A);
    coverage.ended();
    expect(coverage.hook(A)).toBe(false);
    expect(coverage.hook(B)).toBe(true);

    coverage.began();
    coverage.read(B);
    expect(coverage.ended()).toBe(false);
    // Failed, no hook meanwhile: the next hook naming it is tried (an install may have put its blobs back).
    expect(coverage.hook(B)).toBe(true);
  });

  it('with nothing desired, every hook needs a round', () => {
    const coverage = createHookCoverage();
    coverage.began();
    coverage.read(null);
    expect(coverage.ended()).toBe(false);
    expect(coverage.hook(A)).toBe(true);
  });
});
