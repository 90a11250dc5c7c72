import { describe, expect, it } from 'vitest';
import { describeAvailableVersions, proposedRange } from './available-versions.ts';

const offer = { versions: ['1.0.0', '1.1.0', '2.0.0', '3.0.0-rc.1'], distTags: { next: '3.0.0-rc.1', latest: '2.0.0' } };

describe('available versions', () => {
  it('lists the newest versions first, says how many are older, and puts latest first among the dist-tags', () => {
    expect(describeAvailableVersions({ versions: ['0.1.0', ...offer.versions, '0.2.0', '0.3.0'], distTags: offer.distTags })).toBe(
      'newest versions: 3.0.0-rc.1, 2.0.0, 1.1.0, 1.0.0, 0.3.0 (and 2 older); dist-tags: latest=2.0.0, next=3.0.0-rc.1',
    );
    expect(describeAvailableVersions({ versions: [], distTags: {} })).toBe('the registry lists no versions');
  });

  it('proposes a caret range on latest, or latest itself when it is a prerelease', () => {
    expect(proposedRange(offer)).toBe('^2.0.0');
    expect(proposedRange({ versions: ['1.0.0-beta.1'], distTags: { latest: '1.0.0-beta.1' } })).toBe('1.0.0-beta.1');
    expect(proposedRange({ versions: [], distTags: {} })).toBeNull();
  });
});
