// A migration's progress counters in memory, written to its row in batches (every few blobs or
// half second) rather than per blob: the replicas are what a resume trusts, the row is what
// `storage state` shows. Writes go out in order, so the stored count never goes backwards.
import type { MigrationRow, ProgressPatch } from './migration-store.ts';

/** Errors kept in the row (the first ones); `errorCount` counts them all. */
export const MAX_KEPT_ERRORS = 20;

export interface ProgressRecorderDeps {
  row: Pick<MigrationRow, 'done' | 'bytesDone' | 'errors' | 'errorCount'>;
  write(patch: ProgressPatch): Promise<void>;
  now(): number;
  everyBlobs?: number;
  everyMs?: number;
}

export function createProgressRecorder(deps: ProgressRecorderDeps) {
  const everyBlobs = deps.everyBlobs ?? 25;
  const everyMs = deps.everyMs ?? 500;
  let done = deps.row.done;
  let bytesDone = deps.row.bytesDone;
  const errors = [...deps.row.errors];
  let errorCount = deps.row.errorCount;
  let unwritten = 0;
  let lastWrite = deps.now();
  let chain: Promise<void> = Promise.resolve();
  // A batched write that failed: the next explicit flush reports it.
  let failure: { error: unknown } | null = null;

  /** Queues a write of the counters as they are now (plus `extra`) after the writes queued before it. */
  function enqueue(extra: ProgressPatch = {}): Promise<void> {
    unwritten = 0;
    lastWrite = deps.now();
    const patch: ProgressPatch = { done, bytesDone, errors: [...errors], errorCount, ...extra };
    const write = chain.then(() => deps.write(patch));
    chain = write.catch(() => undefined);
    return write;
  }

  function counted(): void {
    unwritten += 1;
    if (unwritten >= everyBlobs || deps.now() - lastWrite >= everyMs) {
      enqueue().catch((error: unknown) => {
        failure ??= { error };
      });
    }
  }

  return {
    bytesDone: () => bytesDone,
    errorCount: () => errorCount,
    verified(size: number): void {
      done += 1;
      bytesDone += size;
      counted();
    },
    failed(integrity: string, message: string): void {
      errorCount += 1;
      if (errors.length < MAX_KEPT_ERRORS) errors.push({ integrity, message });
      counted();
    },
    /** Writes the counters now, after every batched write; throws if one of those failed. */
    async flush(): Promise<void> {
      await enqueue();
      if (failure) throw failure.error;
    },
    /** Sets counters and fields (a status, an error) and writes them with the rest. */
    async set(patch: ProgressPatch): Promise<void> {
      if (patch.done !== undefined) done = patch.done;
      if (patch.bytesDone !== undefined) bytesDone = patch.bytesDone;
      await enqueue(patch);
      if (failure) throw failure.error;
    },
  };
}
