// Decides what an existing data-dir lock means for a starting server or agent: a pure function of
// who holds it and whether that process lives, so every case is testable without processes or files.

export interface LockHolder {
  pid: number;
  host: string;
  /** Linux boot id: a lock from before a reboot is stale even if its pid number is in use again. */
  bootId: string | null;
  startedAt: string;
  token: string;
}

export type LockVerdict = 'stale' | 'live-here' | 'other-host' | 'unreadable';

export function judgeLock(
  holder: LockHolder | null,
  me: { pid: number; host: string; bootId: string | null },
  isAlive: (pid: number) => boolean,
): LockVerdict {
  if (!holder) return 'unreadable';
  // Another machine's process table is out of reach (a data dir on shared storage): never guess.
  if (holder.host !== me.host) return 'other-host';
  if (holder.bootId && me.bootId && holder.bootId !== me.bootId) return 'stale';
  // Our own pid in a lock we have not taken yet is an earlier process's (pid 1 in a restarted container).
  if (holder.pid === me.pid) return 'stale';
  return isAlive(holder.pid) ? 'live-here' : 'stale';
}
