import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { integrityToHex, isSpkError } from '@spk/common';
import { createBlobCache } from './blob-cache.ts';
import { dataLayout, type DataLayout } from './data-layout.ts';
import { createExtractedStore } from './extracted-store.ts';
import { listingsDir, sweepOrphanListings, walkListing, type PackageListing } from './package-listing.ts';
import { removeSealed } from './sealed-dirs.ts';
import { integrityOf, makeTarball, packageTarball } from './test-support/tarball.ts';
import { useTempDirs } from './test-support/temp-dirs.ts';

const tempDir = useTempDirs();
const tarball = makeTarball([
  { path: 'package/package.json', content: '{"name":"p","version":"1.0.0"}' },
  { path: 'package/lib/a.js', content: 'a' },
  { path: 'package/lib/deep/b.js', content: 'b' },
  { path: 'package/bin/cli', type: 'SymbolicLink', linkpath: '../lib/a.js' },
]);
const blob = { integrity: integrityOf(tarball), label: 'p@1.0.0' };

const sorted = (listing: PackageListing) => ({
  dirs: [...listing.dirs].sort(),
  files: [...listing.files].sort(),
  symlinks: [...listing.symlinks].sort((a, b) => a.path.localeCompare(b.path)),
});
const listingFile = (layout: DataLayout) => path.join(listingsDir(layout), `${integrityToHex(blob.integrity)}.json`);

async function storeWith(options: { cached: boolean }) {
  const layout = dataLayout(await tempDir());
  const blobs = createBlobCache(layout);
  if (options.cached) await blobs.store(blob, tarball);
  return { layout, blobs, store: createExtractedStore({ layout, blobs }) };
}

describe('extracted store', () => {
  it('extracts verified bytes handed to it without reading the blob cache, and records their listing', async () => {
    const { layout, store } = await storeWith({ cached: false });
    expect(await store.ensure(blob, tarball)).toBe(true);
    expect(await readFile(path.join(store.dir(blob.integrity), 'lib/deep/b.js'), 'utf8')).toBe('b');
    const walked = await walkListing(store.dir(blob.integrity));
    expect(sorted(await store.listing(blob.integrity))).toEqual(sorted(walked));
    const recorded = JSON.parse(await readFile(listingFile(layout), 'utf8')) as PackageListing & { integrity: string };
    expect(recorded.integrity).toBe(blob.integrity);
    expect(sorted(recorded)).toEqual(sorted(walked));
    expect(await store.ensure(blob, tarball)).toBe(false);
  });

  it('extracts a package once when asked for it twice at the same time', async () => {
    const { layout, store } = await storeWith({ cached: true });
    expect(await Promise.all([store.ensure(blob), store.ensure(blob, tarball)])).toEqual([true, true]);
    expect(await readdir(layout.extractedDir)).toEqual([integrityToHex(blob.integrity)]);
  });

  it('serves a later process the recorded listing instead of walking the package', async () => {
    const { layout, blobs, store } = await storeWith({ cached: true });
    await store.ensure(blob);
    // A listing that differs from the disk can only come from the recorded file.
    const recorded: PackageListing = { dirs: ['lib'], files: ['lib/a.js'], symlinks: [] };
    await writeFile(listingFile(layout), JSON.stringify({ integrity: blob.integrity, ...recorded }));
    const later = createExtractedStore({ layout, blobs });
    expect(await later.listing(blob.integrity)).toEqual(recorded);
  });

  it.each([
    ['is not JSON', () => '{"integrity":'],
    ['names another package', () => JSON.stringify({ integrity: integrityOf(Buffer.from('x')), dirs: [], files: [], symlinks: [] })],
    ['has a path out of the package', () => JSON.stringify({ integrity: blob.integrity, dirs: [], files: ['../../etc/passwd'], symlinks: [] })],
    ['has a link out of the package', () => JSON.stringify({ integrity: blob.integrity, dirs: [], files: [], symlinks: [{ path: 'x', target: '../../..' }] })],
    ['lacks a field', () => JSON.stringify({ integrity: blob.integrity, dirs: [], files: [] })],
  ])('walks the package when its recorded listing %s', async (_, damaged) => {
    const { layout, blobs, store } = await storeWith({ cached: true });
    await store.ensure(blob);
    await writeFile(listingFile(layout), damaged());
    const later = createExtractedStore({ layout, blobs });
    expect(sorted(await later.listing(blob.integrity))).toEqual(sorted(await walkListing(store.dir(blob.integrity))));
  });

  it('walks a package extracted before listings were recorded', async () => {
    const { layout, blobs, store } = await storeWith({ cached: true });
    await store.ensure(blob);
    await writeFile(listingFile(layout), '');
    const later = createExtractedStore({ layout, blobs });
    expect((await later.listing(blob.integrity)).files.sort()).toEqual(['lib/a.js', 'lib/deep/b.js', 'package.json']);
  });

  it('leaves no package, temp dir or listing behind when a tarball is refused', async () => {
    const layout = dataLayout(await tempDir());
    const blobs = createBlobCache(layout);
    const evil = makeTarball([
      ...Array.from({ length: 200 }, (_, i) => ({ path: `package/f${i}.js`, content: `${i}` })),
      { path: 'package/out', type: 'SymbolicLink' as const, linkpath: '/etc' },
    ]);
    const store = createExtractedStore({ layout, blobs });
    const error = await store.ensure({ integrity: integrityOf(evil), label: 'evil@1.0.0' }, evil).catch((e: unknown) => e);
    expect(isSpkError(error, 'UNSAFE_TARBALL')).toBe(true);
    expect(await readdir(layout.extractedDir)).toEqual([]);
    expect(await readdir(listingsDir(layout))).toEqual([]);
  });

  it('re-verifies a cached blob before extracting it', async () => {
    const { layout, store } = await storeWith({ cached: true });
    await writeFile(layout.blobPath(blob.integrity), packageTarball({ 'index.js': 'tampered' }));
    const error = await store.ensure(blob).catch((e: unknown) => e);
    expect(isSpkError(error, 'INTEGRITY_MISMATCH')).toBe(true);
    expect(await readdir(layout.extractedDir).catch(() => [])).toEqual([]);
  });

  it('drops the listing of a package no longer in the store, and keeps the others', async () => {
    const { layout, store } = await storeWith({ cached: false });
    const other = packageTarball({ 'index.js': 'other' });
    await store.ensure(blob, tarball);
    await store.ensure({ integrity: integrityOf(other), label: 'o@1.0.0' }, other);
    await removeSealed(store.dir(blob.integrity));
    expect(await sweepOrphanListings(layout)).toBe(1);
    expect(await readdir(listingsDir(layout))).toEqual([`${integrityToHex(integrityOf(other))}.json`]);
  });
});
