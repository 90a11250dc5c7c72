// A script run's resolution root: .runs/<runId>/ holding a node_modules link straight to the
// tree that was current when the run started, the script, a tmp/ dir (the only place the
// script may write) and pin.json, which says which server process owns the run and which child
// it started, so a restarted server can reap what a crashed one left. The link, not `current`,
// pins the tree: a later flip does not move it, and GC lists these dirs to keep pinned trees.
import { randomUUID } from 'node:crypto';
import { chmod, chown, mkdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runPinRecordSchema, SpkError, type RunPinRecord } from '@spk/common';
import { dataLayout, TREE_HASH, type DataLayout } from '../data-layout.ts';
import { tempName, writeFileAtomically } from '../temp-names.ts';
import type { TreeLayout } from '../tree-plan.ts';
import { isTreeComplete, readCurrentTree, readTreeMarker, type CurrentTree } from '../tree-state.ts';
import { processIdentity, type ProcessIdentity } from './process-identity.ts';
import { readDirIfPresent } from '../read-if-present.ts';

export interface RunPin {
  runId: string;
  lockfileHash: string;
  runDir: string;
  tmpDir: string;
  /** How the pinned tree is laid out: `linked-packages` trees need --preserve-symlinks. */
  treeLayout: TreeLayout;
  /** When it was pinned (ms since the epoch), recorded in pin.json: tree GC ignores pins older than any run may last. */
  pinnedAt: number;
  /** The run's timeout, recorded in pin.json with it. */
  timeoutMs?: number;
}

export const PIN_FILE = 'pin.json';
export const RUN_ID = /^[0-9a-f-]{36}$/;
const PINNED_TARGET = /(?:^|\/)trees\/([a-f0-9]{64})\/node_modules$/;

function notConverged(expected: string, current: CurrentTree | null): SpkError {
  const present = current === null ? 'none' : `${current.lockfileHash ?? 'unknown'}${current.complete ? '' : ' (incomplete)'}`;
  return new SpkError('NOT_CONVERGED', `this host has not converged to ${expected} yet: its current tree is ${present}`, {
    expected,
    present: current?.lockfileHash ?? null,
  });
}

let self: Promise<ProcessIdentity> | null = null;
/** This server process, named in every pin.json: it never changes, so /proc is read for it once. */
function ownIdentity(): Promise<ProcessIdentity> {
  if (!self) {
    const reading = processIdentity(process.pid).then((identity) => {
      if (!identity) throw new SpkError('INTERNAL', 'cannot identify this process in /proc');
      return identity;
    });
    self = reading;
    reading.catch(() => {
      if (self === reading) self = null;
    });
  }
  return self;
}

const writePinRecord = (runDir: string, record: RunPinRecord): Promise<void> => writeFileAtomically(path.join(runDir, PIN_FILE), `${JSON.stringify(record)}\n`);

export interface PinOptions {
  /** The user scripts run as: it gets the run's tmp dir, and passage through .runs/. */
  runAs?: { uid: number; gid: number };
  /** The run's timeout, recorded in pin.json: tree GC counts the pin stale once it is older. */
  timeoutMs?: number;
}

export async function pinCurrentTree(layout: DataLayout, expectedHash: string, options: PinOptions = {}): Promise<RunPin> {
  const current = await readCurrentTree(layout);
  if (!current?.complete || current.lockfileHash !== expectedHash) throw notConverged(expectedHash, current);
  const lockfileHash = current.lockfileHash;
  await mkdir(layout.runsDir, { recursive: true });
  // Others may pass through to a run dir they know the (random) name of, never list them.
  await chmod(layout.runsDir, 0o711);
  const owner = await ownIdentity();
  // Assemble under a temp name and rename, so a pin listing never sees a half-made run dir.
  const runId = randomUUID();
  const temp = path.join(layout.runsDir, tempName('.run'));
  await mkdir(temp);
  await chmod(temp, 0o711);
  await symlink(path.join('..', '..', 'trees', lockfileHash, 'node_modules'), path.join(temp, 'node_modules'));
  // No "type" field: a .js script gets Node's syntax detection whatever an ancestor package.json says.
  await writeFile(path.join(temp, 'package.json'), '{ "private": true }\n');
  // Whatever the server's umask: the script's user must read it.
  await chmod(path.join(temp, 'package.json'), 0o644);
  await mkdir(path.join(temp, 'tmp'), { mode: 0o700 });
  if (options.runAs) await chown(path.join(temp, 'tmp'), options.runAs.uid, options.runAs.gid);
  const pinnedAt = Date.now();
  const timeoutMs = options.timeoutMs;
  await writePinRecord(temp, { runId, lockfileHash, owner, child: null, pinnedAt, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  const runDir = path.join(layout.runsDir, runId);
  await rename(temp, runDir);
  // The tree could have been retired between reading `current` and pinning it.
  if (!(await isTreeComplete(layout.treeDir(lockfileHash)))) {
    await rm(runDir, { recursive: true, force: true });
    throw notConverged(expectedHash, await readCurrentTree(layout));
  }
  const { layout: treeLayout } = await readTreeMarker(layout.treeDir(lockfileHash)).catch(async (error: unknown) => {
    await rm(runDir, { recursive: true, force: true });
    throw error;
  });
  return { runId, lockfileHash, runDir, tmpDir: path.join(runDir, 'tmp'), treeLayout, pinnedAt, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
}

/** Records the run's child in pin.json, so a successor can reap it if this process dies. */
export async function recordRunChild(pin: RunPin, childPid: number): Promise<void> {
  const owner = await ownIdentity();
  const child = await processIdentity(childPid);
  await writePinRecord(pin.runDir, {
    runId: pin.runId,
    lockfileHash: pin.lockfileHash,
    owner,
    child: child ?? { pid: childPid, startTime: null, bootId: null },
    pinnedAt: pin.pinnedAt,
    ...(pin.timeoutMs === undefined ? {} : { timeoutMs: pin.timeoutMs }),
  });
}

export async function releaseRunPin(pin: RunPin): Promise<void> {
  await rm(pin.runDir, { recursive: true, force: true });
}

const gone = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

async function runIds(runsDir: string): Promise<string[]> {
  return (await readDirIfPresent(runsDir)).filter((name) => RUN_ID.test(name));
}

/** The tree a run dir's link pins; null when the dir is gone (the run finished) or pins nothing of ours. */
async function pinnedHash(runDir: string): Promise<string | null> {
  try {
    const match = PINNED_TARGET.exec(await readlink(path.join(runDir, 'node_modules')));
    return match && TREE_HASH.test(match[1]!) ? match[1]! : null;
  } catch (error) {
    if (gone(error)) return null;
    throw error;
  }
}

/** Active runs and the tree each one pins. */
export async function listRunPins(dataDir: string): Promise<Array<Pick<RunPin, 'runId' | 'lockfileHash'>>> {
  const { runsDir } = dataLayout(dataDir);
  const pins = await Promise.all(
    (await runIds(runsDir)).map(async (runId) => {
      const lockfileHash = await pinnedHash(path.join(runsDir, runId));
      return lockfileHash === null ? null : { runId, lockfileHash };
    }),
  );
  return pins.filter((pin) => pin !== null);
}

async function mtimeIfPresent(file: string): Promise<number | null> {
  try {
    return (await stat(file)).mtimeMs;
  } catch (error) {
    if (gone(error)) return null;
    throw error;
  }
}

/** pin.json of a run dir; null when it is missing or unreadable (a run dir of an older version, or one cut short). */
export async function readRunPinRecord(runDir: string): Promise<RunPinRecord | null> {
  try {
    const parsed = runPinRecordSchema.safeParse(JSON.parse(await readFile(path.join(runDir, PIN_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface RunPinOnDisk {
  runId: string;
  runDir: string;
  lockfileHash: string;
  record: RunPinRecord | null;
  /** When the pin was made: pin.json's pinnedAt, else its mtime, else the run dir's (ms since the epoch). */
  pinnedAt: number;
}

/** Every run pin with what tree GC needs to judge whether it still protects its tree. */
export async function readRunPins(dataDir: string): Promise<RunPinOnDisk[]> {
  const { runsDir } = dataLayout(dataDir);
  const pins = await Promise.all(
    (await runIds(runsDir)).map(async (runId): Promise<RunPinOnDisk | null> => {
      const runDir = path.join(runsDir, runId);
      const lockfileHash = await pinnedHash(runDir);
      if (lockfileHash === null) return null;
      const record = await readRunPinRecord(runDir);
      const pinnedAt = record?.pinnedAt ?? (await mtimeIfPresent(path.join(runDir, PIN_FILE))) ?? (await mtimeIfPresent(runDir));
      // Removed between listing it and reading it: the run finished.
      return pinnedAt === null ? null : { runId, runDir, lockfileHash, record, pinnedAt };
    }),
  );
  return pins.filter((pin) => pin !== null);
}

/** Tree hashes that active runs still use: GC must keep these trees. */
export async function pinnedTreeHashes(dataDir: string): Promise<Set<string>> {
  return new Set((await listRunPins(dataDir)).map((pin) => pin.lockfileHash));
}
