// Decides, for one install, whether the last resolution of the same inputs still holds (every
// document it read is unchanged on the registry now, each one revalidated) or Arborist resolves
// again. Either way the documents the last resolve read are revalidated up front, all at once, so
// Arborist's one-package-at-a-time walk finds them in memory instead of waiting on each in turn.
import type { PackumentSession } from './packument-session.ts';
import { inputsDigest, type ResolutionInputs, type ResolutionMemo, type ResolutionRecord } from './resolution-memo.ts';
import type { ResolvedNode } from './resolve-tree.ts';

export interface ResolvedSet {
  nodes: ResolvedNode[];
  /** How many times Arborist built a tree for it. */
  passes: number;
  /** What the resolve warned about (the types step's failed lookups). */
  warnings: string[];
}

/** What the memo holds for an install: the record of its inputs, if any, and the latest record. */
export interface PriorResolution {
  inputs: string;
  record: ResolutionRecord | null;
  latest: ResolutionRecord | null;
}

/** Reads the memo once for an install; a record that cannot be read counts as none. */
export async function readPrior(memo: ResolutionMemo, inputs: ResolutionInputs, memoFailed: (error: unknown) => void): Promise<PriorResolution> {
  const digest = inputsDigest(inputs);
  const unreadable = (error: unknown) => {
    memoFailed(error);
    return null;
  };
  const [record, latest] = await Promise.all([memo.read(digest).catch(unreadable), memo.latest().catch(unreadable)]);
  return { inputs: digest, record, latest };
}

/** The integrities of the resolution this install will most likely reach. */
export function likelyIntegrities({ record, latest }: PriorResolution): string[] {
  return (record ?? latest)?.nodes.flatMap((node) => (node.sha512 ? [node.sha512] : [])) ?? [];
}

export interface ReuseInput {
  memo: ResolutionMemo;
  prior: PriorResolution;
  session: PackumentSession;
  /** Resolves through `session.packumentCache`. */
  resolve(): Promise<ResolvedSet>;
  /** Keeping the record failed: the install goes on without it. */
  memoFailed(error: unknown): void;
}

/** Whether every document `record` was resolved from reads the same on the registry now. */
async function stillCurrent(record: ResolutionRecord, session: PackumentSession): Promise<boolean> {
  try {
    const digests = await Promise.all(record.packuments.map((p) => session.currentDigest(p.key)));
    return digests.every((digest, i) => digest === record.packuments[i]!.digest);
  } catch {
    // Not swallowed: the failed request stays in the session, so the resolve meets it and reports it.
    return false;
  }
}

export async function resolveOrReuse(input: ReuseInput): Promise<ResolvedSet & { reused: boolean }> {
  const { memo, session } = input;
  const { inputs, record, latest } = input.prior;
  const prior = record ?? latest;
  if (prior) session.prefetch(prior.packuments.map((p) => p.key));
  if (record && (await stillCurrent(record, session))) {
    return { nodes: record.nodes, passes: record.passes, warnings: record.warnings, reused: true };
  }
  const resolved = await input.resolve();
  // A resolve that met a failed request (not a 404) is not kept: what it resolved depended on the failure.
  const reads = session.reads();
  if (reads) await memo.write({ inputs, ...resolved, packuments: reads }).catch(input.memoFailed);
  return { ...resolved, reused: false };
}
