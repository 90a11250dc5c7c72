import { describe, expect, it } from 'vitest';
import { judgeLock, type LockHolder } from './lock-verdict.ts';

const me = { pid: 100, host: 'alpha', bootId: 'boot-1' };
const holder = (over: Partial<LockHolder>): LockHolder => ({ pid: 200, host: 'alpha', bootId: 'boot-1', startedAt: '2026-01-01T00:00:00Z', token: 't', ...over });
const alive = () => true;
const dead = () => false;

describe('judging an existing data-dir lock', () => {
  it('refuses while the holder lives on this host, and takes over once it is dead', () => {
    expect(judgeLock(holder({}), me, alive)).toBe('live-here');
    expect(judgeLock(holder({}), me, dead)).toBe('stale');
  });

  it('never takes over a lock from another host, alive or not', () => {
    expect(judgeLock(holder({ host: 'beta' }), me, dead)).toBe('other-host');
    expect(judgeLock(holder({ host: 'beta' }), me, alive)).toBe('other-host');
  });

  it('treats a lock from before a reboot as stale even when its pid is in use again', () => {
    expect(judgeLock(holder({ bootId: 'boot-0' }), me, alive)).toBe('stale');
    expect(judgeLock(holder({ bootId: null }), me, alive)).toBe('live-here');
  });

  it('treats a lock naming our own pid as an earlier process (restarted container)', () => {
    expect(judgeLock(holder({ pid: me.pid }), me, alive)).toBe('stale');
  });

  it('refuses a lock file that names no process', () => {
    expect(judgeLock(null, me, dead)).toBe('unreadable');
  });
});
