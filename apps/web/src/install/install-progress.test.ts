import { emptyInstallState, type InstallState } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { installOutcome, installPercent, installSteps } from './install-progress.ts';

const HASH = 'a1b2c3d4e5f6'.padEnd(64, '0');

function state(patch: Partial<InstallState>): InstallState {
  return { ...emptyInstallState(), ...patch };
}

describe('installSteps', () => {
  it('marks the steps before the current phase done and counts the current one', () => {
    const steps = installSteps({ phase: 'fetching', done: 3, total: 10 });
    expect(steps.map((s) => [s.label, s.state])).toEqual([
      ['resolve', 'done'],
      ['fetch 3/10', 'current'],
      ['check', 'pending'],
      ['publish', 'pending'],
      ['commit', 'pending'],
    ]);
  });

  it('shows a phase without a count by its bare name, and starts at resolve', () => {
    expect(installSteps({ phase: 'resolving', done: 0, total: 0 })[0]).toEqual({ phase: 'resolving', label: 'resolve', state: 'current' });
    expect(installSteps(null).filter((s) => s.state === 'current').map((s) => s.phase)).toEqual(['resolving']);
  });
});

describe('installPercent', () => {
  it('gives each step a fifth and fills the current one by its count', () => {
    expect(installPercent(null)).toBe(0);
    expect(installPercent({ phase: 'resolving', done: 0, total: 0 })).toBe(0);
    expect(installPercent({ phase: 'fetching', done: 5, total: 10 })).toBe(30);
    expect(installPercent({ phase: 'committing', done: 1, total: 1 })).toBe(100);
  });

  it('never passes 100 when a count overshoots its total', () => {
    expect(installPercent({ phase: 'committing', done: 7, total: 1 })).toBe(100);
  });
});

describe('installOutcome', () => {
  it('is done with the committed hash once an install committed', () => {
    expect(installOutcome(state({ lockfileHash: HASH, committedAt: '2026-11-26T10:00:00.000Z' }))).toEqual({
      kind: 'done',
      lockfileHash: HASH,
      committedAt: '2026-11-26T10:00:00.000Z',
    });
  });

  it('is failed with the whole error, keeping the desired hash that still stands', () => {
    const error = { code: 'SIZE_CAP_EXCEEDED' as const, message: 'the set is 300 MiB; the cap is 200 MiB' };
    expect(installOutcome(state({ status: 'failed', error, lockfileHash: HASH }))).toEqual({ kind: 'failed', error, lockfileHash: HASH });
  });

  it('is installing at the current step, and never before any commit', () => {
    expect(installOutcome(state({ status: 'installing', progress: { phase: 'publishing', done: 2, total: 4 } }))).toEqual({ kind: 'installing', step: 'publish 2/4' });
    expect(installOutcome(state({}))).toEqual({ kind: 'never' });
  });
});
