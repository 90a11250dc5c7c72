// The template's key and its record on disk, without running PGlite: a key follows the migrations'
// contents, and a template whose record is damaged is not used (and is removed for a rebuild).
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from './database.ts';
import { findPgliteTemplate, pgliteTemplateKey } from './pglite-template.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'spk-template-key-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('the PGlite template key', () => {
  it('is the same for the same migrations and changes with any migration file or the journal', async () => {
    const copy = path.join(scratch, 'migrations');
    await cp(MIGRATIONS_DIR, copy, { recursive: true });
    const key = await pgliteTemplateKey(MIGRATIONS_DIR);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(await pgliteTemplateKey(copy)).toBe(key);
    const [firstSql] = (await readdir(copy)).filter((name) => name.endsWith('.sql')).sort();
    await writeFile(path.join(copy, firstSql!), '-- changed\n', { flag: 'a' });
    const changed = await pgliteTemplateKey(copy);
    expect(changed).not.toBe(key);
    await writeFile(path.join(copy, 'meta', '_journal.json'), ' ', { flag: 'a' });
    expect(await pgliteTemplateKey(copy)).not.toBe(changed);
  });
});

describe('a stored template', () => {
  it('is not there when its record is missing', async () => {
    expect(await findPgliteTemplate(path.join(scratch, 'none'), 'a'.repeat(32))).toBeUndefined();
  });

  it.each([
    ['unreadable', '{not json'],
    ['of another key', JSON.stringify({ format: 1, key: 'b'.repeat(32), tarSha256: 'c'.repeat(64), tarBytes: 3 })],
    ['of another size than its tar', JSON.stringify({ format: 1, key: 'a'.repeat(32), tarSha256: 'c'.repeat(64), tarBytes: 4 })],
  ])('is removed when its record is %s', async (_, record) => {
    const root = await mkdtemp(path.join(scratch, 'root-'));
    const dir = path.join(root, 'a'.repeat(32));
    await mkdir(dir);
    await writeFile(path.join(dir, 'pgdata.tar'), 'tar');
    await writeFile(path.join(dir, 'template.json'), record);
    expect(await findPgliteTemplate(root, 'a'.repeat(32))).toBeUndefined();
    expect(await readdir(root)).toEqual([]);
  });

  it('is found when its record matches', async () => {
    const root = await mkdtemp(path.join(scratch, 'root-'));
    const dir = path.join(root, 'a'.repeat(32));
    await mkdir(dir);
    await writeFile(path.join(dir, 'pgdata.tar'), 'tar');
    await writeFile(path.join(dir, 'template.json'), JSON.stringify({ format: 1, key: 'a'.repeat(32), tarSha256: 'c'.repeat(64), tarBytes: 3 }));
    expect(await findPgliteTemplate(root, 'a'.repeat(32))).toEqual({ dir, tarPath: path.join(dir, 'pgdata.tar'), tarSha256: 'c'.repeat(64), tarBytes: 3 });
  });
});
