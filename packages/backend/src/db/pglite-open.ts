// Opens the embedded database. A data dir that holds no database yet is filled from the template
// (extracted into a scratch dir beside it while its checksum is verified, then one rename), so
// PGlite finds a database and skips initdb; PGlite compiles its engine meanwhile and looks into the
// dir only once that settled. An in-memory database loads the template's tar. Without a usable
// template (none can be made here, or it is damaged) PGlite runs initdb as it always did: the
// template only ever saves time, never decides what the database holds.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import * as tar from 'tar';
import { describeError } from '../errors/driver-error.ts';
import type { Logger } from '../services.ts';
import { pgliteByteaCodec, pgliteStartParams, useBaselineWasmCompiler } from './pglite-settings.ts';
import { discardPgliteTemplate, ensurePgliteTemplate, sha256File, type PgliteTemplate, type PgliteTemplateSource } from './pglite-template.ts';

const SEED_PREFIX = 'pglite.seed-';
const READ_SIZE = 1024 * 1024;

export interface PgliteOpening {
  /** Unset: no template, initdb every time. */
  template?: PgliteTemplateSource | undefined;
  logger: Logger;
}

/**
 * PGlite's file system on the data dir, read only after `ready`: PGlite awaits initialSyncFs after
 * it compiled its engine and before it checks the dir for a database (then runs initdb if none).
 */
class AwaitedNodeFS extends NodeFS {
  constructor(
    dir: string,
    private readonly ready: Promise<void>,
  ) {
    super(dir);
  }

  override async initialSyncFs(): Promise<void> {
    await this.ready;
  }
}

export async function openPgliteDataDir(dataDir: string, opening: PgliteOpening): Promise<PGlite> {
  useBaselineWasmCompiler();
  const dir = path.join(dataDir, 'pglite');
  await sweepSeedLeftovers(dataDir);
  const seeding = opening.template && (await holdsNothing(dir)) ? seedFromTemplate(dir, opening.template, opening.logger) : Promise.resolve();
  // Handled here and awaited below: a seeding failure fails the open, never the process.
  seeding.catch(() => undefined);
  await mkdir(dir, { recursive: true });
  const client = new PGlite({ dataDir: dir, fs: new AwaitedNodeFS(dir, seeding), startParams: pgliteStartParams(), ...pgliteByteaCodec });
  try {
    await client.waitReady;
  } finally {
    // PGlite may fail before it waits for the seeding: never leave it running behind a failed open.
    await seeding.catch(() => undefined);
  }
  return client;
}

export async function openPgliteInMemory(opening: PgliteOpening): Promise<PGlite> {
  useBaselineWasmCompiler();
  const loadDataDir = opening.template ? await templateTar(opening.template, opening.logger) : undefined;
  const client = new PGlite({ startParams: pgliteStartParams(), ...pgliteByteaCodec, ...(loadDataDir ? { loadDataDir } : {}) });
  await client.waitReady;
  return client;
}

/** Absent or empty: a dir with anything in it is PGlite's to judge, as before templates. */
async function holdsNothing(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.length === 0;
}

/** Scratch dirs of a seeding that was killed before its rename (this process holds the data dir's lock). */
async function sweepSeedLeftovers(dataDir: string): Promise<void> {
  const names = await readdir(dataDir).catch(() => [] as string[]);
  await Promise.all(names.filter((name) => name.startsWith(SEED_PREFIX)).map((name) => rm(path.join(dataDir, name), { recursive: true, force: true })));
}

/** The current template, or undefined (logged) when none can be had here, e.g. a read-only install. */
async function usableTemplate(source: PgliteTemplateSource, logger: Logger): Promise<PgliteTemplate | undefined> {
  try {
    return await ensurePgliteTemplate(source);
  } catch (error) {
    logger.warn({ templateRoot: source.root, error: describeError(error) }, 'no PGlite template available: the embedded database is initialised with initdb');
    return undefined;
  }
}

async function dropDamaged(template: PgliteTemplate, logger: Logger): Promise<void> {
  logger.warn({ template: template.dir }, 'the PGlite template does not match its checksum: removed; the embedded database is initialised with initdb');
  await discardPgliteTemplate(template);
}

async function seedFromTemplate(dir: string, source: PgliteTemplateSource, logger: Logger): Promise<void> {
  const template = await usableTemplate(source, logger);
  if (!template) return;
  const scratch = path.join(path.dirname(dir), `${SEED_PREFIX}${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(scratch);
    const extracted = await extractHashing(template.tarPath, scratch);
    if (extracted.sha256 !== template.tarSha256) return await dropDamaged(template, logger);
    if (extracted.error) throw extracted.error;
    // Replaces an empty dir too (rename(2) onto an empty directory).
    await rename(scratch, dir);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * One read of the tar feeds both its sha256 and the extraction, a chunk at a time as the files are
 * written (node-tar's own file reader runs ahead of the disk and leaves its buffers in the heap).
 * An extraction error is returned beside the digest: for a damaged tar the digest is what to report.
 */
async function extractHashing(tarPath: string, cwd: string): Promise<{ sha256: string; error?: unknown }> {
  const hash = createHash('sha256');
  const unpack = new tar.Unpack({ cwd, strict: true });
  const unpacked = new Promise<void>((resolve, reject) => {
    unpack.on('close', () => resolve());
    unpack.on('error', reject);
  });
  unpacked.catch(() => undefined);
  try {
    for await (const chunk of createReadStream(tarPath, { highWaterMark: READ_SIZE })) {
      hash.update(chunk as Buffer);
      if (!unpack.write(chunk as Buffer)) await Promise.race([once(unpack, 'drain'), unpacked]);
    }
    unpack.end();
    await unpacked;
    return { sha256: hash.digest('hex') };
  } catch (error) {
    // Stopped part way: the whole file's digest tells a damaged tar from a failing disk.
    return { sha256: await sha256File(tarPath), error };
  }
}

async function templateTar(source: PgliteTemplateSource, logger: Logger): Promise<Blob | undefined> {
  const template = await usableTemplate(source, logger);
  if (!template) return undefined;
  const bytes = await readFile(template.tarPath);
  if (createHash('sha256').update(bytes).digest('hex') === template.tarSha256) return new Blob([bytes]);
  await dropDamaged(template, logger);
  return undefined;
}
