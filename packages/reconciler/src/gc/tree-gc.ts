// Tree GC's decisions, as pure functions of what a pass found on disk: whether a run pin still
// protects its tree, which trees are retired and since when, which of them may go, and which
// extracted packages and cached blobs no remaining tree (nor the kept history) needs.

/** Slack past the run timeout before a pin counts as stale: a run is pinned a little before its clock starts. */
export const PIN_AGE_MARGIN_MS = 60_000;

export interface PinFacts {
  /** When the run was pinned (ms since the epoch). */
  pinnedAt: number;
  /** The run's own timeout, when its pin records it. */
  timeoutMs?: number | undefined;
  /** Whether its pin.json could be read; without it nobody can say which process owns the run. */
  hasRecord: boolean;
  ownerAlive: boolean;
  /** The script process pin.json names: not started yet, still running, or gone. */
  child: 'none' | 'alive' | 'dead';
}

/**
 * Whether a run pin still protects its tree. A pin older than the longest run (plus a margin) is
 * stale whatever it says. Otherwise a running script keeps it, even one whose owner died (it
 * still imports from the tree); a finished script does not; before the script starts, the owner
 * does. A pin of unknown owner protects until it is too old.
 */
export function isPinLive(pin: PinFacts, now: number, runTimeoutMs: number): boolean {
  if (now - pin.pinnedAt > (pin.timeoutMs ?? runTimeoutMs) + PIN_AGE_MARGIN_MS) return false;
  if (!pin.hasRecord || pin.child === 'alive') return true;
  return pin.child === 'none' && pin.ownerAlive;
}

/** A run dir nothing runs in any more: its owner and its script are both gone. */
export const isRunDirAbandoned = (pin: PinFacts): boolean => pin.hasRecord && !pin.ownerAlive && pin.child !== 'alive';

export interface RetirementInput {
  now: number;
  graceMs: number;
  /** The tree `current` names (never retired); null when there is none. */
  current: string | null;
  /** Tree hashes on disk. */
  trees: readonly string[];
  /** When each tree was first seen retired, as recorded by earlier passes. */
  retiredSince: Readonly<Record<string, number>>;
  /** Trees live run pins hold. */
  pinned: ReadonlySet<string>;
}

export interface RetirementPlan {
  /** The record to keep: every tree on disk but the current one, with when it was first seen retired. */
  retiredSince: Record<string, number>;
  /** Retired past the grace and unpinned. */
  collect: string[];
  /** Retired trees kept because a live run pins them. */
  pinned: string[];
  /** Retired trees still within the grace. */
  waiting: string[];
}

export function planRetirement(input: RetirementInput): RetirementPlan {
  const plan: RetirementPlan = { retiredSince: {}, collect: [], pinned: [], waiting: [] };
  for (const hash of input.trees) {
    // A tree that became current again (a rollback) starts a new retirement when it is left again.
    if (hash === input.current) continue;
    // A tree first seen now gets the whole grace; a clock that went back never makes one older.
    const since = Math.min(input.retiredSince[hash] ?? input.now, input.now);
    plan.retiredSince[hash] = since;
    if (input.pinned.has(hash)) plan.pinned.push(hash);
    else if (input.now - since >= input.graceMs) plan.collect.push(hash);
    else plan.waiting.push(hash);
  }
  return plan;
}

export interface CacheInput {
  /** Integrities each remaining tree uses; null for a tree that does not say (a marker of an older version). */
  remaining: ReadonlyArray<readonly string[] | null>;
  /** Integrities the kept history needs; null when unknown. */
  retained: ReadonlySet<string> | null;
  /** Integrities of the state being reconciled to, whose tree may not exist yet. */
  inFlight: Iterable<string>;
  extracted: Iterable<string>;
  blobs: Iterable<string>;
}

export interface CachePlan {
  extracted: string[];
  blobs: string[];
}

/** Extracted packages and cached blobs nothing needs; none at all while any need is unknown. */
export function planCacheCollection(input: CacheInput): CachePlan {
  if (input.retained === null || input.remaining.some((integrities) => integrities === null)) return { extracted: [], blobs: [] };
  const needed = new Set<string>([...input.retained, ...input.inFlight]);
  for (const integrities of input.remaining) for (const integrity of integrities!) needed.add(integrity);
  const unneeded = (entries: Iterable<string>) => [...entries].filter((integrity) => !needed.has(integrity));
  return { extracted: unneeded(input.extracted), blobs: unneeded(input.blobs) };
}
