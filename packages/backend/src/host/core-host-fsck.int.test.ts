import { appendFile, chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRouterClient } from '@orpc/server';
import { integrityToHex } from '@spk/common';
import { createTestBackend, type TestBackend } from '../testing/test-backend.ts';

describe('hosts.fsck on a core instance (pglite)', () => {
  let t: TestBackend;
  let treeFile: string;
  let original: string;

  beforeAll(async () => {
    t = await createTestBackend('pglite', { registry: { url: inject('registryUrl') }, hostId: 'core-fsck' });
    await t.client.packages.add({ name: 'spk-fixture-esm' });
    await t.client.install.trigger();
    await t.backend.installer.idle();
    await t.backend.host.idle();
    treeFile = path.join(t.dataDir, 'current', 'node_modules', 'spk-fixture-esm', 'index.js');
    original = await readFile(treeFile, 'utf8');
  });
  afterAll(() => t?.close());

  it('finds nothing on a freshly converged host', async () => {
    const report = await t.client.hosts.fsck({ repair: false });
    const { lockfileHash } = await t.client.install.state();
    expect(report).toMatchObject({ hostId: 'core-fsck', currentTree: lockfileHash, damaged: [], repaired: 0, checked: { packages: 1, trees: 1 } });
  });

  it('reports a tampered tree file, and repairs it when asked', async () => {
    await chmod(treeFile, 0o644);
    await appendFile(treeFile, 'globalThis.pwned = 1;\n');

    const found = await t.client.hosts.fsck({});
    expect(found.damaged.map(({ location, package: pkg, file, repaired }) => ({ location, pkg, file, repaired }))).toEqual([
      { location: 'store', pkg: 'spk-fixture-esm@1.1.0', file: 'index.js', repaired: false },
      { location: 'tree', pkg: 'spk-fixture-esm@1.1.0', file: 'node_modules/spk-fixture-esm/index.js', repaired: false },
    ]);

    const repaired = await t.client.hosts.fsck({ repair: true });
    expect(repaired.repaired).toBe(2);
    expect(await readFile(treeFile, 'utf8')).toBe(original);
    const run = await t.client.runs.execute({ filename: 'check.mjs', source: "await import('spk-fixture-esm'); export default globalThis.pwned ?? null;" });
    expect(run).toMatchObject({ ok: true, result: null });
  });

  it('fetches a corrupt cached tarball again from the blob store', async () => {
    const { manifest } = await t.client.install.state();
    await writeFile(path.join(t.dataDir, 'cache', 'blobs', integrityToHex(manifest[0]!.integrity)), 'bit rot');
    const report = await t.client.hosts.fsck({ repair: false });
    expect(report.damaged).toEqual([expect.objectContaining({ location: 'blob', kind: 'blob', repaired: true })]);
    expect((await t.client.hosts.fsck({ repair: false })).damaged).toEqual([]);
  });

  it('needs the manage permission', async () => {
    const reader = createRouterClient(t.backend.router, { context: { principal: { id: 'reader', permissions: ['read'] } } });
    await expect(reader.hosts.fsck({ repair: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
