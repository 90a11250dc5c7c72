import { access, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { createFsReconcileDeps } from './fs-reconcile-deps.ts';
import { integrityOf, packageTarball } from './test-support/tarball.ts';
import { useTempDirs } from './test-support/temp-dirs.ts';

const tempDir = useTempDirs();
const tarball = packageTarball({ 'package.json': '{"name":"p","version":"1.0.0"}', 'index.js': 'module.exports = 1;\n' });
const blob = { integrity: integrityOf(tarball), label: 'p@1.0.0' };

describe('fs reconcile deps', () => {
  it('extracts a downloaded blob as soon as it is verified, before any tree is built', async () => {
    const deps = createFsReconcileDeps({ dataDir: await tempDir(), fetchBlob: () => tarball });
    await deps.storeBlob(blob, await deps.fetchBlob(blob.integrity));
    await access(deps.layout.blobPath(blob.integrity));
    expect((await deps.store.listing(blob.integrity)).files.sort()).toEqual(['index.js', 'package.json']);
    expect(await deps.extractAll([{ name: 'p', version: '1.0.0', path: 'node_modules/p', integrity: blob.integrity, size: tarball.length, hasInstallScript: false, bin: {}, dependencies: {} }])).toBe(0);
  });

  it('extracts nothing from a download that fails verification', async () => {
    const deps = createFsReconcileDeps({ dataDir: await tempDir(), fetchBlob: () => tarball });
    const tampered = packageTarball({ 'index.js': 'module.exports = "tampered";\n' });
    const error = await deps.storeBlob(blob, tampered).catch((e: unknown) => e);
    expect(isSpkError(error, 'INTEGRITY_MISMATCH')).toBe(true);
    expect(await readdir(deps.layout.extractedDir).catch(() => [])).toEqual([]);
    expect(await readdir(deps.layout.blobsDir)).toEqual([]);
  });
});
