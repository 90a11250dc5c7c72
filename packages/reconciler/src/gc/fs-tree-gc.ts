// One tree GC pass on a host's data dir: judges the run pins, records when each tree was retired,
// deletes retired trees past the grace that no live run pins, then the extracted packages and
// cached blobs nothing remaining needs, and measures what is left. Callers serialize it with
// reconciles; runs in flight are safe: a pin made while a tree is being deleted keeps it.
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { hexToIntegrity, SHA512_HEX, type HostDisk, type TreeCollection } from '@spk/common';
import { createBlobCache } from '../blob-cache.ts';
import { TREE_HASH, type DataLayout } from '../data-layout.ts';
import { sweepOrphanListings } from '../package-listing.ts';
import { readDirIfPresent } from '../read-if-present.ts';
import { isSameProcessAlive } from '../runs/process-identity.ts';
import { listRunPins, readRunPins, type RunPinOnDisk } from '../runs/run-pins.ts';
import { removeSealed } from '../sealed-dirs.ts';
import { tempName } from '../temp-names.ts';
import { isTreeComplete, readCurrentTree, readTreeMarker } from '../tree-state.ts';
import { measureDiskBytes } from './disk-usage.ts';
import { readRetiredTrees, writeRetiredTrees } from './retired-trees-file.ts';
import { isPinLive, isRunDirAbandoned, planCacheCollection, planRetirement, type PinFacts } from './tree-gc.ts';

export interface TreeGcSettings {
  /** A retired tree is deleted once retired this long and no live run pins it. */
  graceMs: number;
  /** The longest a script run may last on this host: a pin older than that (plus a margin) is stale. */
  runTimeoutMs: number;
}

export interface TreeGcLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface CollectTreesOptions extends TreeGcSettings {
  layout: DataLayout;
  /** Integrities the kept history needs; null when unknown, and then every cache entry is kept. */
  retained: ReadonlySet<string> | null;
  /** Integrities of the state being reconciled to, whose tree may not exist yet. */
  inFlight?: Iterable<string>;
  /** Called for each extracted package deleted (the store forgets its listing). */
  onExtractedDeleted?: (integrity: string) => void;
  logger?: TreeGcLogger;
  now?: () => number;
}

export interface TreeGcResult {
  collection: TreeCollection;
  disk: HostDisk;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));


async function pinFacts(pin: RunPinOnDisk): Promise<PinFacts> {
  const { record } = pin;
  if (!record) return { pinnedAt: pin.pinnedAt, hasRecord: false, ownerAlive: false, child: 'none' };
  const [ownerAlive, childAlive] = await Promise.all([isSameProcessAlive(record.owner), record.child ? isSameProcessAlive(record.child) : false]);
  return {
    pinnedAt: pin.pinnedAt,
    timeoutMs: record.timeoutMs,
    hasRecord: true,
    ownerAlive,
    child: record.child === null ? 'none' : childAlive ? 'alive' : 'dead',
  };
}

/** The integrities a tree's marker lists: [] for a dir that is no tree (no marker), null when it does not say. */
async function treeIntegrities(layout: DataLayout, hash: string): Promise<readonly string[] | null> {
  const dir = layout.treeDir(hash);
  if (!(await isTreeComplete(dir))) return [];
  try {
    return (await readTreeMarker(dir)).integrities ?? null;
  } catch {
    return null;
  }
}

export async function collectTrees(options: CollectTreesOptions): Promise<TreeGcResult> {
  const { layout, logger } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const collection: TreeCollection = { at: new Date(started).toISOString(), trees: 0, extracted: 0, blobs: 0, bytesFreed: 0, stalePins: 0, errors: [] };
  const failed = (what: string, error: unknown, fields: Record<string, unknown> = {}) => {
    const message = `${what}: ${messageOf(error)}`;
    collection.errors.push(message);
    logger?.error('tree GC could not finish a step', { ...fields, error: message });
  };
  // Trees and the package cache (blobs and extracted store); measured before the first deletion
  // only, so a pass that deletes nothing walks the disk once.
  const measured = [layout.treesDir, path.dirname(layout.blobsDir)];
  let before: Promise<number> | null = null;
  const measureBefore = () => (before ??= measureDiskBytes(measured));

  const current = (await readCurrentTree(layout))?.lockfileHash ?? null;
  const trees = (await readDirIfPresent(layout.treesDir)).filter((name) => TREE_HASH.test(name));

  // 1. Which pins still protect their tree; run dirs nothing runs in any more go.
  const pins = await readRunPins(layout.dataDir);
  const live = new Set<string>();
  const stale = new Set<string>();
  for (const pin of pins) {
    const facts = await pinFacts(pin);
    if (isPinLive(facts, now(), options.runTimeoutMs)) {
      live.add(pin.lockfileHash);
      continue;
    }
    stale.add(pin.runId);
    collection.stalePins += 1;
    logger?.info('stale run pin ignored', { runId: pin.runId, lockfileHash: pin.lockfileHash, ...facts, pinnedAt: new Date(pin.pinnedAt).toISOString() });
    if (!isRunDirAbandoned(facts)) continue;
    try {
      await rm(pin.runDir, { recursive: true, force: true });
      logger?.info('abandoned run dir removed', { runId: pin.runId, lockfileHash: pin.lockfileHash });
    } catch (error) {
      failed(`removing the run dir ${pin.runDir}`, error, { runId: pin.runId });
    }
  }

  // 2. Retirement: recorded for every tree but the current one, and kept across restarts.
  const record = await readRetiredTrees(layout);
  if (record.problem) failed('reading the retirement record', new Error(record.problem));
  const plan = planRetirement({ now: started, graceMs: options.graceMs, current, trees, retiredSince: record.retiredSince, pinned: live });
  await writeRetiredTrees(layout, plan.retiredSince);

  // 3. Retired trees past the grace, each unless a run pinned it meanwhile.
  const deleted = new Set<string>();
  for (const hash of plan.collect) {
    try {
      await measureBefore();
      if (await deleteRetiredTree(layout, hash, stale)) {
        deleted.add(hash);
        logger?.info('retired tree deleted', { lockfileHash: hash, retiredAt: new Date(plan.retiredSince[hash]!).toISOString() });
      } else logger?.info('retired tree kept: a run pinned it while it was being deleted', { lockfileHash: hash });
    } catch (error) {
      failed(`deleting the retired tree ${hash}`, error, { lockfileHash: hash });
    }
  }
  collection.trees = deleted.size;
  const remaining = trees.filter((hash) => !deleted.has(hash));
  if (deleted.size > 0) await writeRetiredTrees(layout, Object.fromEntries(Object.entries(plan.retiredSince).filter(([hash]) => !deleted.has(hash))));

  // 4. Extracted packages and cached blobs no remaining tree, kept history entry or reconcile needs.
  const extractedNames = (await readDirIfPresent(layout.extractedDir)).filter((name) => SHA512_HEX.test(name));
  const cache = planCacheCollection({
    remaining: await Promise.all(remaining.map((hash) => treeIntegrities(layout, hash))),
    retained: options.retained,
    inFlight: options.inFlight ?? [],
    extracted: extractedNames.map(hexToIntegrity),
    blobs: await createBlobCache(layout).list(),
  });
  for (const integrity of cache.extracted) {
    try {
      await measureBefore();
      await removeSealed(layout.extractedPath(integrity));
      options.onExtractedDeleted?.(integrity);
      collection.extracted += 1;
    } catch (error) {
      failed(`deleting the extracted package ${integrity}`, error, { integrity });
    }
  }
  for (const integrity of cache.blobs) {
    try {
      await measureBefore();
      await rm(layout.blobPath(integrity), { force: true });
      collection.blobs += 1;
    } catch (error) {
      failed(`deleting the cached blob ${integrity}`, error, { integrity });
    }
  }
  if (cache.extracted.length + cache.blobs.length > 0) logger?.info('unneeded cache entries deleted', { extracted: cache.extracted, blobs: cache.blobs });
  // The recorded listings of the packages just deleted (or deleted by hand since).
  try {
    await sweepOrphanListings(layout);
  } catch (error) {
    failed('deleting the listings of deleted packages', error);
  }

  // 5. What is left, reported until the next pass.
  const bytes = await measureDiskBytes(measured);
  if (before) collection.bytesFreed = Math.max(0, (await before) - bytes);
  const disk: HostDisk = {
    trees: remaining.length,
    retiredTrees: remaining.filter((hash) => hash !== current).length,
    pinnedTrees: remaining.filter((hash) => live.has(hash)).length,
    bytes,
    measuredAt: new Date(now()).toISOString(),
    lastCollection: collection,
  };
  logger?.info('tree GC pass', {
    trees: collection.trees,
    extracted: collection.extracted,
    blobs: collection.blobs,
    bytesFreed: collection.bytesFreed,
    stalePins: collection.stalePins,
    errors: collection.errors.length,
    retiredWaiting: plan.waiting.length,
    retiredPinned: plan.pinned.length,
    bytes,
  });
  return { collection, disk };
}

/**
 * Deletes one retired tree unless a run pins it meanwhile. A run pins only a complete tree and
 * checks it is still complete after its pin is in place, so once the tree is renamed away no new
 * pin can hold it; a pin that appeared before the rename shows in the second listing, and the
 * tree is renamed back. Pins already judged stale do not count.
 */
export async function deleteRetiredTree(layout: DataLayout, hash: string, stale: ReadonlySet<string>): Promise<boolean> {
  const doomed = path.join(layout.treesDir, tempName(`${hash}.gc`));
  await rename(layout.treeDir(hash), doomed);
  const pinned = (await listRunPins(layout.dataDir)).some((pin) => pin.lockfileHash === hash && !stale.has(pin.runId));
  if (pinned) {
    await rename(doomed, layout.treeDir(hash));
    return false;
  }
  await removeSealed(doomed);
  return true;
}
