// The lockfile hash of the complete tree a data dir's `current` points at, read without a
// reconciler: what a separate process (`spk-agent run`) needs to pin the tree a daemon built.
import { dataLayout } from '../data-layout.ts';
import { completeCurrentHash } from '../tree-state.ts';

export const currentTreeHash = (dataDir: string): Promise<string | null> => completeCurrentHash(dataLayout(dataDir));
