import { describe, expect, it } from 'vitest';
import { DEFAULT_TREE_GC_GRACE_MS, DEFAULT_TREE_GC_INTERVAL_MS } from '@spk/common';
import { treeGcFromEnv } from './tree-gc-settings.ts';

describe('tree GC settings from the environment', () => {
  it('takes the defaults when unset or empty, and the given values otherwise', () => {
    expect(treeGcFromEnv({ SPK_TREE_GC_GRACE_MS: '' })).toEqual({ graceMs: DEFAULT_TREE_GC_GRACE_MS, intervalMs: DEFAULT_TREE_GC_INTERVAL_MS });
    expect(treeGcFromEnv({ SPK_TREE_GC_GRACE_MS: '0', SPK_TREE_GC_INTERVAL_MS: '2000' })).toEqual({ graceMs: 0, intervalMs: 2000 });
  });

  it('names a bad variable and its bounds', () => {
    expect(() => treeGcFromEnv({ SPK_TREE_GC_INTERVAL_MS: '10' })).toThrow(/SPK_TREE_GC_INTERVAL_MS: must be at least 1000 ms/);
    expect(() => treeGcFromEnv({ SPK_TREE_GC_GRACE_MS: 'soon' })).toThrow(/SPK_TREE_GC_GRACE_MS: must be a whole number of milliseconds/);
  });
});
