// The embedded database's template on real PGlite: a new data dir (or an in-memory database)
// starts from it with every migration in place, and a damaged or unobtainable template falls back
// to initdb. The template here is built by a migrate step that also leaves a marker table, so a
// database that holds the marker provably came from the template, not from initdb.
import { cp, mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import { MIGRATIONS_DIR, openDatabase } from './database.ts';
import { openPgliteDataDir, openPgliteInMemory } from './pglite-open.ts';
import { buildPgliteTemplate, ensurePgliteTemplate, pgliteTemplateKey, type PgliteTemplateSource } from './pglite-template.ts';

let scratch: string;
let builds = 0;
const source = (root: string): PgliteTemplateSource => ({
  root,
  migrationsDir: MIGRATIONS_DIR,
  async migrate(client) {
    builds++;
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    await client.exec('create table template_marker (made_by text)');
  },
});
const journalEntries = async () => ((await import(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), { with: { type: 'json' } })).default as { entries: unknown[] }).entries.length;
const hasMarker = async (client: PGlite) => (await client.query("select 1 from information_schema.tables where table_name = 'template_marker'")).rows.length === 1;
const appliedMigrations = async (client: PGlite) => (await client.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations')).rows[0]!.n;
const newDir = (name: string) => mkdtemp(path.join(scratch, `${name}-`));

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'spk-pglite-template-'));
  await ensurePgliteTemplate(source(path.join(scratch, 'templates')));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('the PGlite template', () => {
  it('starts a new data dir with every migration applied, without initdb, and builds only once', async () => {
    const before = builds;
    for (const name of ['one', 'two']) {
      const client = await openPgliteDataDir(await newDir(name), { template: source(path.join(scratch, 'templates')), logger: memoryLogger([]) });
      try {
        expect(await hasMarker(client)).toBe(true);
        expect(await appliedMigrations(client)).toBe(await journalEntries());
        await client.exec("insert into template_marker values ('a test')");
      } finally {
        await client.close();
      }
    }
    expect(builds).toBe(before);
  });

  it('is a working database through openDatabase: migrate is a no-op and data survives a restart', async () => {
    const dataDir = await newDir('restart');
    const first = await openDatabase({ dataDir, pgliteTemplateDir: path.join(scratch, 'templates') });
    await first.migrate();
    const session = await first.openSession();
    await session.query("insert into template_marker values ('first start')");
    await first.close();
    expect((await readdir(dataDir)).filter((name) => name.startsWith('pglite.seed-'))).toEqual([]);
    const again = await openDatabase({ dataDir, pgliteTemplateDir: path.join(scratch, 'templates') });
    try {
      await again.migrate();
      const rows = await (await again.openSession()).query<{ made_by: string }>('select made_by from template_marker');
      expect(rows).toEqual([{ made_by: 'first start' }]);
    } finally {
      await again.close();
    }
  });

  it('loads an in-memory database from the template', async () => {
    const client = await openPgliteInMemory({ template: source(path.join(scratch, 'templates')), logger: memoryLogger([]) });
    try {
      expect(await hasMarker(client)).toBe(true);
      expect(await appliedMigrations(client)).toBe(await journalEntries());
    } finally {
      await client.close();
    }
  });

  it('falls back to initdb when the template does not match its checksum, and removes it', async () => {
    const root = await newDir('damaged');
    await cp(path.join(scratch, 'templates'), root, { recursive: true });
    const [key] = (await readdir(root)).filter((name) => /^[0-9a-f]{32}$/.test(name));
    // One flipped byte inside the tar, size unchanged: only the checksum can tell.
    const tarFile = await open(path.join(root, key!, 'pgdata.tar'), 'r+');
    const middle = Math.floor((await tarFile.stat()).size / 2);
    const { buffer } = await tarFile.read(Buffer.alloc(1), 0, 1, middle);
    await tarFile.write(Buffer.from([buffer[0]! ^ 0xff]), 0, 1, middle);
    await tarFile.close();
    const lines: LogLine[] = [];
    const damaged: PgliteTemplateSource = { ...source(root), migrate: () => Promise.reject(new Error('a fallback must not build a template')) };
    const dataDir = await newDir('after-damage');
    const client = await openPgliteDataDir(dataDir, { template: damaged, logger: memoryLogger(lines) });
    try {
      expect(await hasMarker(client)).toBe(false);
      expect((await client.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await client.close();
    }
    expect(lines.map((l) => `${l.level}: ${l.msg}`)).toEqual([expect.stringMatching(/^warn: the PGlite template does not match its checksum/)]);
    await expect(stat(path.join(root, key!))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(dataDir)).filter((name) => name.startsWith('pglite.seed-'))).toEqual([]);
  });

  it('falls back to initdb when no template can be made where it should be kept', async () => {
    const blocker = path.join(await newDir('unusable'), 'a-file');
    await writeFile(blocker, 'not a directory');
    const lines: LogLine[] = [];
    const client = await openPgliteDataDir(await newDir('no-template'), { template: source(path.join(blocker, 'templates')), logger: memoryLogger(lines) });
    try {
      expect(await hasMarker(client)).toBe(false);
    } finally {
      await client.close();
    }
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/^no PGlite template available/) })]);
  });

  it('leaves a data dir that already holds something to PGlite, and sweeps a killed seeding', async () => {
    const dataDir = await newDir('occupied');
    const seeded = await openPgliteDataDir(dataDir, { template: undefined, logger: memoryLogger([]) });
    await seeded.close();
    await mkdir(path.join(dataDir, 'pglite.seed-0123456789ab', 'base'), { recursive: true });
    const client = await openPgliteDataDir(dataDir, { template: source(path.join(scratch, 'templates')), logger: memoryLogger([]) });
    try {
      expect(await hasMarker(client)).toBe(false);
    } finally {
      await client.close();
    }
    expect((await readdir(dataDir)).sort()).toEqual(['pglite']);
  });

  it('is built by two processes at once without either failing, and one copy stays', async () => {
    const root = await newDir('race');
    const key = await pgliteTemplateKey(MIGRATIONS_DIR);
    const [a, b] = await Promise.all([buildPgliteTemplate(source(root), key), buildPgliteTemplate(source(root), key)]);
    expect(a).toEqual(b);
    expect(await readdir(root)).toEqual([key]);
  });
});
