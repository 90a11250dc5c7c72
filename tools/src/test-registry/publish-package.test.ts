import { describe, expect, it } from 'vitest';
import { buildPublishDocument, packagePath, publishTag } from './publish-package.ts';

const input = {
  manifest: { name: '@s/pkg', version: '1.2.3', description: 'd' },
  tarball: Buffer.from('tarball bytes'),
  integrity: 'sha512-abc',
  shasum: '0123',
};

describe('buildPublishDocument', () => {
  it('builds the npm publish body: one version, its dist, the tag and the base64 attachment', () => {
    const doc = buildPublishDocument('http://127.0.0.1:1', input, 'next') as {
      'dist-tags': Record<string, string>;
      versions: Record<string, { _id: string; dist: Record<string, string> }>;
      _attachments: Record<string, { data: string; length: number }>;
    };
    expect(doc['dist-tags']).toEqual({ next: '1.2.3' });
    expect(doc.versions['1.2.3']?._id).toBe('@s/pkg@1.2.3');
    expect(doc.versions['1.2.3']?.dist).toEqual({
      integrity: 'sha512-abc',
      shasum: '0123',
      tarball: 'http://127.0.0.1:1/@s/pkg/-/pkg-1.2.3.tgz',
    });
    const attachment = doc._attachments['@s/pkg-1.2.3.tgz'];
    expect(Buffer.from(attachment?.data ?? '', 'base64').toString()).toBe('tarball bytes');
    expect(attachment?.length).toBe(input.tarball.length);
  });

  it('tags a version as npm publish does: the tag asked for, else publishConfig.tag, else latest', () => {
    const tagged = { ...input.manifest, publishConfig: { tag: 'next' } };
    expect(publishTag(input.manifest)).toBe('latest');
    expect(publishTag(tagged)).toBe('next');
    expect(publishTag(tagged, 'beta')).toBe('beta');
    const doc = buildPublishDocument('http://127.0.0.1:1', { ...input, manifest: tagged }) as { 'dist-tags': Record<string, string> };
    expect(doc['dist-tags']).toEqual({ next: '1.2.3' });
  });

  it('keeps a deprecation message on the version, where the registry serves it', () => {
    const doc = buildPublishDocument('http://127.0.0.1:1', { ...input, manifest: { ...input.manifest, deprecated: 'use 2.x' } }) as {
      versions: Record<string, { deprecated?: string }>;
    };
    expect(doc.versions['1.2.3']?.deprecated).toBe('use 2.x');
  });

  it('encodes the scope separator in registry paths', () => {
    expect(packagePath('@s/pkg')).toBe('/@s%2fpkg');
    expect(packagePath('plain')).toBe('/plain');
  });
});
