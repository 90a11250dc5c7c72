// A pre-initialised embedded database: initdb and every migration already run, kept as one tar
// file with its sha256, so a new data dir (or an in-memory test database) starts from a copy
// instead of running initdb (seconds of WebAssembly and a second PGlite instance's memory). Its
// key covers the PGlite version and the migrations' contents: either changing makes a new one.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import * as tar from 'tar';
import { z } from 'zod';
import { pgliteStartParams, useBaselineWasmCompiler } from './pglite-settings.ts';

/** Bumped when the template's layout or making changes: old templates are then ignored. */
const FORMAT = 1;
const TAR_FILE = 'pgdata.tar';
const META_FILE = 'template.json';
const KEY_PATTERN = /^[0-9a-f]{32}$/;
const BUILD_PREFIX = '.build-';
/** A build dir this old is a killed build's leftover, not one under way in another process. */
const STALE_BUILD_MS = 3_600_000;

const templateMeta = z.object({
  format: z.literal(FORMAT),
  key: z.string().regex(KEY_PATTERN),
  tarSha256: z.string().regex(/^[0-9a-f]{64}$/),
  tarBytes: z.number().int().positive(),
});

export interface PgliteTemplate {
  dir: string;
  tarPath: string;
  tarSha256: string;
  tarBytes: number;
}

/** Where templates live and how one is made: the migrations to run into it. */
export interface PgliteTemplateSource {
  root: string;
  migrationsDir: string;
  migrate(client: PGlite): Promise<void>;
}

const pgliteEntry = () => createRequire(import.meta.url).resolve('@electric-sql/pglite');

/** `node_modules/.cache/spk-pglite-template` of the node_modules that holds PGlite. */
export function defaultPgliteTemplateRoot(): string {
  const entry = pgliteEntry();
  const marker = `${path.sep}node_modules${path.sep}`;
  return path.join(entry.slice(0, entry.lastIndexOf(marker) + marker.length), '.cache', 'spk-pglite-template');
}

async function pgliteVersion(): Promise<string> {
  for (let dir = path.dirname(pgliteEntry()); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = await readFile(path.join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (manifest === undefined) continue;
    const { name, version } = JSON.parse(manifest) as { name?: string; version?: string };
    if (name === '@electric-sql/pglite' && version) return version;
  }
  throw new Error('cannot find the installed @electric-sql/pglite package.json');
}

/** What the migrator reads: every SQL file and the journal. */
async function migrationFiles(dir: string): Promise<string[]> {
  const sql = (await readdir(dir)).filter((name) => name.endsWith('.sql'));
  return [...sql.sort(), path.join('meta', '_journal.json')];
}

export async function pgliteTemplateKey(migrationsDir: string): Promise<string> {
  const hash = createHash('sha256').update(`spk-pglite-template ${FORMAT}\0${await pgliteVersion()}\0`);
  for (const file of await migrationFiles(migrationsDir)) hash.update(`${file}\0`).update(await readFile(path.join(migrationsDir, file))).update('\0');
  return hash.digest('hex').slice(0, 32);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The template stored under `key`, if one is complete there (its checksum is checked where it is used). */
export async function findPgliteTemplate(root: string, key: string): Promise<PgliteTemplate | undefined> {
  const dir = path.join(root, key);
  const text = await readFile(path.join(dir, META_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  const meta = templateMeta.safeParse(parseJson(text));
  const tarPath = path.join(dir, TAR_FILE);
  const size = await stat(tarPath).then((s) => s.size, () => -1);
  if (!meta.success || meta.data.key !== key || size !== meta.data.tarBytes) {
    await discardPgliteTemplate({ dir });
    return undefined;
  }
  return { dir, tarPath, tarSha256: meta.data.tarSha256, tarBytes: meta.data.tarBytes };
}

/** Removes a damaged template so that the next use builds it again. */
export async function discardPgliteTemplate(template: Pick<PgliteTemplate, 'dir'>): Promise<void> {
  await rm(template.dir, { recursive: true, force: true });
}

/**
 * initdb and the migrations into a scratch dir, a clean shutdown, then tar + sha256 and one rename
 * into place: a template under its key is always complete. Two processes building at once both
 * succeed; the first rename wins and the other's copy is dropped.
 */
export async function buildPgliteTemplate(source: PgliteTemplateSource, key: string): Promise<PgliteTemplate> {
  await mkdir(source.root, { recursive: true });
  const build = path.join(source.root, `${BUILD_PREFIX}${randomBytes(6).toString('hex')}`);
  const pgdata = path.join(build, 'pgdata');
  try {
    await mkdir(pgdata, { recursive: true });
    useBaselineWasmCompiler();
    const client = new PGlite(pgdata, { startParams: pgliteStartParams() });
    try {
      await client.waitReady;
      await source.migrate(client);
    } finally {
      await client.close();
    }
    const tarPath = path.join(build, TAR_FILE);
    await tar.c({ cwd: pgdata, file: tarPath, portable: true, noPax: true, strict: true }, (await readdir(pgdata)).sort());
    await rm(pgdata, { recursive: true, force: true });
    const meta: z.infer<typeof templateMeta> = { format: FORMAT, key, tarSha256: await sha256File(tarPath), tarBytes: (await stat(tarPath)).size };
    await writeFile(path.join(build, META_FILE), JSON.stringify(meta));
    await rename(build, path.join(source.root, key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(build, { recursive: true, force: true });
  }
  await pruneOtherTemplates(source.root, key);
  const template = await findPgliteTemplate(source.root, key);
  if (!template) throw new Error(`the PGlite template built in ${source.root} is not in place`);
  return template;
}

/** Templates of other PGlite versions or migration sets, and killed builds' leftovers. */
async function pruneOtherTemplates(root: string, key: string): Promise<void> {
  for (const name of await readdir(root)) {
    const full = path.join(root, name);
    const stale = name.startsWith(BUILD_PREFIX) && Date.now() - (await stat(full).then((s) => s.mtimeMs, () => Date.now())) > STALE_BUILD_MS;
    if (stale || (KEY_PATTERN.test(name) && name !== key)) await rm(full, { recursive: true, force: true });
  }
}

/** The current template, built first when there is none yet. */
export async function ensurePgliteTemplate(source: PgliteTemplateSource): Promise<PgliteTemplate> {
  const key = await pgliteTemplateKey(source.migrationsDir);
  return (await findPgliteTemplate(source.root, key)) ?? (await buildPgliteTemplate(source, key));
}
