import { describe, expect, it } from 'vitest';
import { classifyHost, convergenceSummary, timeAgo } from './host-state.ts';

const DESIRED = 'd'.repeat(64);
const OTHER = 'e'.repeat(64);

describe('classifyHost', () => {
  it('is converged on the desired tree, lagging on another tree or none', () => {
    expect(classifyHost({ lockfileHash: DESIRED, stale: false }, DESIRED)).toBe('converged');
    expect(classifyHost({ lockfileHash: OTHER, stale: false }, DESIRED)).toBe('lagging');
    expect(classifyHost({ lockfileHash: null, stale: false }, DESIRED)).toBe('lagging');
  });

  it('is stale whenever the host stopped reporting, even on the desired tree', () => {
    expect(classifyHost({ lockfileHash: DESIRED, stale: true }, DESIRED)).toBe('stale');
    expect(classifyHost({ lockfileHash: null, stale: true }, DESIRED)).toBe('stale');
  });

  it('counts a host without a tree as converged while nothing was ever installed', () => {
    expect(classifyHost({ lockfileHash: null, stale: false }, null)).toBe('converged');
    expect(classifyHost({ lockfileHash: OTHER, stale: false }, null)).toBe('lagging');
  });
});

describe('timeAgo', () => {
  const now = Date.parse('2026-11-26T12:00:00.000Z');
  const ago = (ms: number) => timeAgo(new Date(now - ms).toISOString(), now);

  it('counts seconds, then minutes, hours and days, rounding down', () => {
    expect(ago(5_000)).toBe('5 s ago');
    expect(ago(59_999)).toBe('59 s ago');
    expect(ago(60_000)).toBe('1 min ago');
    expect(ago(3 * 3_600_000 + 59 * 60_000)).toBe('3 h ago');
    expect(ago(2 * 86_400_000)).toBe('2 d ago');
  });

  it('reads a time at or slightly ahead of this clock as just now, and no time as a dash', () => {
    expect(ago(0)).toBe('just now');
    expect(ago(-4_000)).toBe('just now');
    expect(timeAgo(null, now)).toBe('—');
  });
});

describe('convergenceSummary', () => {
  it('counts converged and stale hosts', () => {
    const hosts = [
      { lockfileHash: DESIRED, stale: false },
      { lockfileHash: OTHER, stale: false },
      { lockfileHash: DESIRED, stale: true },
    ];
    expect(convergenceSummary(hosts, DESIRED)).toBe('1 of 3 hosts run the desired tree; 1 stale');
    expect(convergenceSummary([hosts[0]!], DESIRED)).toBe('1 of 1 host runs the desired tree');
  });
});
