import { describe, expect, it } from 'vitest';
import { defaultVersionChoice, versionOptions } from './version-options.ts';

const answer = {
  name: 'spk-fixture-deprecated',
  registry: 'http://127.0.0.1:4873/',
  distTags: { next: '2.0.0-rc.1', latest: '1.1.0', beta: '2.0.0-beta.1' },
  versions: [
    { version: '2.0.0-rc.1', deprecated: null, publishedAt: null },
    { version: '1.1.0', deprecated: null, publishedAt: null },
    { version: '1.0.0', deprecated: 'use 1.1.0: 1.0.0 loses data', publishedAt: null },
  ],
};

describe('versionOptions', () => {
  it('lists latest first, then the other tags by name, then versions in the answer order', () => {
    expect(versionOptions(answer).map((o) => o.value)).toEqual(['latest', 'beta', 'next', '2.0.0-rc.1', '1.1.0', '1.0.0']);
  });

  it('labels a tag with the version it points at and marks deprecated versions', () => {
    const labels = versionOptions({ ...answer, distTags: { latest: '1.0.0' } }).map((o) => o.label);
    expect(labels).toEqual(['latest → 1.0.0 (deprecated)', '2.0.0-rc.1', '1.1.0', '1.0.0 (deprecated)']);
  });

  it('preselects latest, or the newest version when the package has no latest tag', () => {
    expect(defaultVersionChoice(versionOptions(answer))).toBe('latest');
    expect(defaultVersionChoice(versionOptions({ ...answer, distTags: {} }))).toBe('2.0.0-rc.1');
    expect(defaultVersionChoice([])).toBe('');
  });
});
