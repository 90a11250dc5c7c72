import { list } from 'tar';
import { describe, expect, it } from 'vitest';
import { craftPackage } from './craft-package.ts';
import { digestTarball } from './tarball-digests.ts';

describe('craftPackage', () => {
  it('keeps every entry verbatim, unsafe ones included, after the manifest', async () => {
    const crafted = craftPackage({ name: 'evil', version: '1.0.0' }, [
      { path: 'package/../../escaped', content: 'x' },
      { path: 'package/out', type: 'SymbolicLink', linkpath: '../../..' },
    ]);
    const entries: Array<{ path: string; type: string; linkpath: string | undefined }> = [];
    const parser = list({ onReadEntry: (e) => entries.push({ path: e.path, type: e.type, linkpath: e.linkpath }) });
    const done = new Promise((resolve, reject) => {
      parser.on('close', resolve);
      parser.on('error', reject);
    });
    parser.end(crafted.tarball);
    await done;
    expect(entries).toEqual([
      { path: 'package/package.json', type: 'File', linkpath: undefined },
      { path: 'package/../../escaped', type: 'File', linkpath: undefined },
      { path: 'package/out', type: 'SymbolicLink', linkpath: '../../..' },
    ]);
    expect(crafted).toMatchObject({ ...digestTarball(crafted.tarball), size: crafted.tarball.length });
  });
});
