// One process per data dir, a core server or a satellite agent. PGlite is a single-process database,
// and trees, runs and install scratch space assume one owner: two servers on one data dir silently
// lose acknowledged writes, two agents would build and flip the same trees. The lock is a file
// created atomically (hard link of a complete temp file) saying who holds it; a lock left by a dead
// process on this host is taken over, anything else is refused with what to do.
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { SpkError } from '@spk/common';
import { isProcessAlive, readBootId } from '../process-liveness.ts';
import { readFileIfPresent } from '../read-if-present.ts';
import { judgeLock, type LockHolder } from './lock-verdict.ts';

/** Who owns a data dir: it names the lock file and the advice in a refusal. */
export type DataDirOwner = 'server' | 'agent';

const OWNERS: Record<DataDirOwner, { lockFile: string; why: string; several: string }> = {
  server: {
    lockFile: 'server.lock',
    why: 'two servers on one data dir lose writes',
    several: 'To run several instances, give each its own SPK_DATA_DIR and point them all at one PostgreSQL with DATABASE_URL.',
  },
  agent: {
    lockFile: 'agent.lock',
    why: 'two agents on one data dir would build and switch the same trees',
    several: 'To run several agents on one host, give each its own SPK_DATA_DIR (--data-dir).',
  },
};

/** The lock file's name in a data dir of this owner. */
export const dataDirLockFile = (owner: DataDirOwner): string => OWNERS[owner].lockFile;
const ATTEMPTS = 5;

const holderSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  bootId: z.string().nullable(),
  startedAt: z.string(),
  token: z.string(),
});

export interface DataDirLock {
  file: string;
  /** Whether the lock file still names this process (someone may have deleted or replaced it). */
  held(): Promise<boolean>;
  release(): Promise<void>;
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

function refusal(owner: DataDirOwner, dataDir: string, file: string, verdict: 'live-here' | 'other-host' | 'unreadable', holder: LockHolder | null): SpkError {
  const { why, several } = OWNERS[owner];
  const since = holder ? `, since ${holder.startedAt}` : '';
  switch (verdict) {
    case 'live-here':
      return new SpkError('DATA_DIR_LOCKED', `another ${owner} (pid ${holder!.pid}${since}) is using the data dir ${dataDir}; ${why}. Stop that ${owner} first, or start this one with another SPK_DATA_DIR. ${several}`);
    case 'other-host':
      return new SpkError('DATA_DIR_LOCKED', `the data dir ${dataDir} is locked by a ${owner} on host "${holder!.host}" (pid ${holder!.pid}${since}); this host cannot tell whether it still runs. If no ${owner} uses this data dir any more, delete ${file} and start again. ${several}`);
    case 'unreadable':
      return new SpkError('DATA_DIR_LOCKED', `the lock file ${file} exists but does not name a ${owner}; if no ${owner} uses the data dir ${dataDir}, delete ${file} and start again.`);
  }
}

/** Takes the data dir's lock or throws DATA_DIR_LOCKED saying who holds it and what to do. */
export async function acquireDataDirLock(dataDir: string, owner: DataDirOwner): Promise<DataDirLock> {
  const file = path.join(dataDir, OWNERS[owner].lockFile);
  const me = { pid: process.pid, host: hostname(), bootId: await readBootId() };
  const token = randomBytes(16).toString('hex');
  const content = `${JSON.stringify({ ...me, startedAt: new Date().toISOString(), token })}\n`;

  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const temp = `${file}.${process.pid}.${token}.tmp`;
    await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
    try {
      // link() fails when the lock exists, so the lock appears complete or not at all.
      await link(temp, file);
      return holdLock(file, token);
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    const raw = await readFileIfPresent(file);
    if (raw === null) continue;
    const holder = parseHolder(raw);
    const verdict = judgeLock(holder, me, isProcessAlive);
    if (verdict !== 'stale') throw refusal(owner, dataDir, file, verdict, holder);
    await removeStale(file, raw);
  }
  throw new SpkError('DATA_DIR_LOCKED', `could not take the lock ${file}: other ${owner}s keep starting on the data dir ${dataDir}. Start only one ${owner} per data dir.`);
}

/**
 * Moves the stale lock aside and checks it is the one judged stale: if another starter replaced it
 * meanwhile, its live lock goes back (link fails rather than overwrite a newer one).
 */
async function removeStale(file: string, staleRaw: string): Promise<void> {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw error;
  }
  if ((await readFile(aside, 'utf8')) !== staleRaw) await link(aside, file).catch(() => undefined);
  await unlink(aside);
}

function holdLock(file: string, token: string): DataDirLock {
  const ours = (raw: string | null) => raw !== null && parseHolder(raw)?.token === token;
  // Also on exits that skip the graceful shutdown (a fatal error); a SIGKILL leaves a stale lock,
  // which the next start on this host takes over.
  const releaseSync = () => {
    try {
      if (ours(readFileSync(file, 'utf8'))) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.once('exit', releaseSync);
  return {
    file,
    held: async () => ours(await readFileIfPresent(file)),
    async release() {
      process.removeListener('exit', releaseSync);
      if (ours(await readFileIfPresent(file))) await unlink(file).catch(() => undefined);
    },
  };
}
