import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { silentLogger } from '../services.ts';
import { checkDeclaration, declarationWarnings, searchTerms, undeprecatedRange, type DeclarationCheckDeps } from './declaration-check.ts';
import { summarizePackument, type PackumentSummary } from './packument.ts';
import type { PackageLookup } from './registry-client.ts';

const REGISTRY = 'http://127.0.0.1:9/';

/** A packument as a registry serves it, summarized as the client does: `deprecated` per version. */
function packument(versions: Record<string, string | null>, distTags: Record<string, string>): PackumentSummary {
  const docs = Object.fromEntries(Object.entries(versions).map(([version, deprecated]) => [version, { name: 'acc', version, ...(deprecated ? { deprecated } : {}) }]));
  const summary = summarizePackument('acc', { name: 'acc', 'dist-tags': distTags, versions: docs });
  if (!summary) throw new Error('not a packument');
  return summary;
}

// Versions 1.x deprecated, 2.0.0 latest, a prerelease under `next`: the fixture spk-fixture-deprecated's shape.
const acc = packument({ '1.0.0': 'use 2.x', '1.1.0': '1.1.0 is broken; use 2.x', '2.0.0': null, '3.0.0-beta.1': null }, { latest: '2.0.0', next: '3.0.0-beta.1' });

/** A registry that records what it is asked and answers every lookup with `answer`. */
function recordingRegistry(answer: PackageLookup = { status: 'missing', registry: REGISTRY }) {
  const asked: string[] = [];
  const deps: DeclarationCheckDeps = {
    registry: {
      lookup: async (name) => {
        asked.push(name);
        return answer;
      },
      search: async () => ({ registry: REGISTRY, results: [] }),
    },
    logger: silentLogger,
  };
  return { deps, asked };
}

describe('searchTerms', () => {
  it('searches for the name, the name minus its last letter and its words, at most four searches', () => {
    expect(searchTerms('zodd')).toEqual(['zodd', 'zod']);
    expect(searchTerms('@acme/left-padd')).toEqual(['@acme/left-padd', 'left-pad', 'left', 'padd']);
    expect(searchTerms('spk-fixture-esn')).toEqual(['spk-fixture-esn', 'spk-fixture-es', 'spk', 'fixture']);
  });
});

describe('checkDeclaration', () => {
  it.each([
    ['github:a/b', 'a git spec (GitHub)'],
    ['file:../x', 'a local directory (file:) spec'],
    ['https://example.com/x.tgz', 'a tarball URL spec'],
    ['npm:other@1', 'an alias (npm:) spec'],
  ])('refuses %s with INVALID_SPEC, as npm-package-arg reads it, without asking the registry', async (range, kind) => {
    const { deps, asked } = recordingRegistry();
    const refusal = await checkDeclaration({ name: 'zod', range }, deps).catch((error: unknown) => error);
    expect(isSpkError(refusal, 'INVALID_SPEC')).toBe(true);
    expect((refusal as Error).message).toBe(`"${range}" is ${kind}; only registry specs are allowed: a name with an optional semver range, exact version or dist-tag (zod, zod@^3.23, zod@latest); publish other code to a registry first`);
    expect(asked).toEqual([]);
  });

  it('refuses a range npm cannot read at all, and asks the registry about a registry spec', async () => {
    const { deps, asked } = recordingRegistry();
    const refusal = await checkDeclaration({ name: 'zod', range: 'not a tag' }, deps).catch((error: unknown) => error);
    expect(isSpkError(refusal, 'INVALID_SPEC')).toBe(true);
    expect((refusal as Error).message).toMatch(/^"not a tag" is not a valid version range for zod: Invalid tag name/);
    const missing = await checkDeclaration({ name: 'zod', range: '^3' }, deps).catch((error: unknown) => error);
    expect(isSpkError(missing, 'PACKAGE_NOT_FOUND')).toBe(true);
    expect(asked).toEqual(['zod']);
  });

  it('accepts a range whose pick is not deprecated without a word', async () => {
    const { deps } = recordingRegistry({ status: 'found', registry: REGISTRY, packument: acc });
    expect(await checkDeclaration({ name: 'acc', range: '^2' }, deps)).toEqual([]);
    expect(await checkDeclaration({ name: 'acc', range: 'latest' }, deps)).toEqual([]);
    expect(await checkDeclaration({ name: 'acc', range: '*' }, deps)).toEqual([]);
  });

  it('warns when the range picks a deprecated version today, quoting the message and proposing a range without one', async () => {
    const { deps } = recordingRegistry({ status: 'found', registry: REGISTRY, packument: acc });
    expect(await checkDeclaration({ name: 'acc', range: '^1' }, deps)).toEqual([
      'acc@^1 installs 1.1.0 today, which is deprecated: "1.1.0 is broken; use 2.x"; declare a range without deprecated versions, e.g. acc@^2.0.0',
    ]);
    expect(await checkDeclaration({ name: 'acc', range: '1.0.0' }, deps)).toEqual([
      'acc@1.0.0 installs 1.0.0 today, which is deprecated: "use 2.x"; declare a range without deprecated versions, e.g. acc@^2.0.0',
    ]);
  });

  it('warns that a dist-tag other than latest moves at every install, naming where it points and a range to pin', async () => {
    const { deps } = recordingRegistry({ status: 'found', registry: REGISTRY, packument: acc });
    expect(await checkDeclaration({ name: 'acc', range: 'next' }, deps)).toEqual([
      'acc@next follows the dist-tag "next", which is looked up again at every install and points to 3.0.0-beta.1 today, so an install may switch versions without the declaration changing; declare a range to choose when that happens, e.g. acc@3.0.0-beta.1',
    ]);
  });

  it('keeps refusing a range no version satisfies, a tag the registry lacks included', async () => {
    const { deps } = recordingRegistry({ status: 'found', registry: REGISTRY, packument: acc });
    for (const range of ['^9', 'beta']) {
      const refusal = await checkDeclaration({ name: 'acc', range }, deps).catch((error: unknown) => error);
      expect(isSpkError(refusal, 'NO_MATCHING_VERSION')).toBe(true);
      expect((refusal as Error).message).toBe(
        `no version of acc matches "${range}" in the registry ${REGISTRY} (newest versions: 3.0.0-beta.1, 2.0.0, 1.1.0, 1.0.0; dist-tags: latest=2.0.0, next=3.0.0-beta.1); declare a range one of them satisfies, e.g. acc@^2.0.0`,
      );
    }
  });

  it('accepts with a warning, naming the registry and why, when the registry cannot say', async () => {
    const { deps } = recordingRegistry({ status: 'unknown', registry: REGISTRY, reason: 'it did not answer within 10 s' });
    expect(await checkDeclaration({ name: 'acc', range: '^1' }, deps)).toEqual([
      `acc@^1 was declared without checking the registry ${REGISTRY}: it did not answer within 10 s; the install will fail if the name or range is wrong`,
    ]);
  });
});

describe('declarationWarnings', () => {
  it('gives both warnings for a tag on a deprecated version, pinning to a range without deprecation', () => {
    const tagged = packument({ '1.0.0': 'old', '2.0.0': null }, { latest: '2.0.0', legacy: '1.0.0' });
    const picked = tagged.versions['1.0.0']!;
    const warnings = declarationWarnings({ name: 'acc', range: 'legacy' }, picked, tagged, true);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe('acc@legacy installs 1.0.0 today, which is deprecated: "old"; declare a range without deprecated versions, e.g. acc@^2.0.0');
    expect(warnings[1]).toMatch(/points to 1\.0\.0 today, .* e\.g\. acc@\^2\.0\.0$/);
  });

  it("quotes a long or multi-line deprecation message on one line, capped as an install's warning is", () => {
    const long = `do not use:\n${'x'.repeat(500)}`;
    const noisy = packument({ '1.0.0': long, '2.0.0': null }, { latest: '2.0.0' });
    const [warning] = declarationWarnings({ name: 'acc', range: '1.0.0' }, noisy.versions['1.0.0']!, noisy, false);
    expect(warning).toBe(`acc@1.0.0 installs 1.0.0 today, which is deprecated: "do not use: ${'x'.repeat(147)}…"; declare a range without deprecated versions, e.g. acc@^2.0.0`);
  });

  it('says so when every version is deprecated', () => {
    const dead = packument({ '1.0.0': 'gone', '1.1.0': 'gone' }, { latest: '1.1.0' });
    expect(declarationWarnings({ name: 'acc', range: 'latest' }, dead.versions['1.1.0']!, dead, true)).toEqual([
      'acc@latest installs 1.1.0 today, which is deprecated: "gone"; every version of it is deprecated',
    ]);
  });
});

describe('undeprecatedRange', () => {
  it('prefers latest, then the newest release, then a prerelease, among versions not deprecated', () => {
    expect(undeprecatedRange(acc)).toBe('^2.0.0');
    expect(undeprecatedRange(packument({ '1.0.0': null, '2.0.0': 'no', '3.0.0-rc.1': null }, { latest: '2.0.0' }))).toBe('^1.0.0');
    expect(undeprecatedRange(packument({ '2.0.0': 'no', '3.0.0-rc.1': null }, { latest: '2.0.0' }))).toBe('3.0.0-rc.1');
    expect(undeprecatedRange(packument({ '2.0.0': 'no' }, { latest: '2.0.0' }))).toBeNull();
  });
});
