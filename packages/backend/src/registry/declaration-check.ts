// Declare-time check of one {name, range} against the registry: the package must exist and some
// version must match, else a typed refusal with close names or the versions on offer. A range the
// registry can satisfy may still deserve a word, passed back as warnings: it picks a deprecated
// version today, or it is a dist-tag that moves under it. When the registry cannot say, a
// new-style name is accepted with a warning; a legacy-only name is not.
// npm's own parser has the last word on the spec: what it does not read as a registry spec is
// refused here even if the browser-safe check in @spk/common let it through.
import semver from 'semver';
import { closeMatches, SpkError } from '@spk/common';
import { legacyNameReason, npmRegistrySpecType, npmSpecProblem } from '@spk/common/node';
import type { Logger } from '../services.ts';
import { noMatchingVersionText, proposedRange, rangeOn } from './available-versions.ts';
import { quotedDeprecation } from './deprecation-text.ts';
import { availableVersions, pickVersion, type PackumentSummary, type VersionSummary } from './packument.ts';
import type { RegistryClient } from './registry-client.ts';

export interface Declaration {
  name: string;
  range: string;
}

export interface DeclarationCheckDeps {
  registry: Pick<RegistryClient, 'lookup' | 'search'>;
  logger: Logger;
}

const MAX_SEARCHES = 4;
const SUGGESTION_SEARCH_SIZE = 20;

/** Search words likely to surface the intended name: the name, it minus its last letter, and its words. */
export function searchTerms(name: string): string[] {
  const bare = name.replace(/^@[^/]+\//, '');
  const words = bare.split(/[-_.]/).filter((w) => w.length >= 3);
  const terms = [name, bare.slice(0, -1), ...words].filter((t) => t.length >= 2);
  return [...new Set(terms)].slice(0, MAX_SEARCHES);
}

// Suggestions only dress up a refusal: a search that fails leaves them out, and the refusal stands.
async function suggestNames(name: string, { registry, logger }: DeclarationCheckDeps): Promise<string[]> {
  const found = await Promise.all(
    searchTerms(name).map((term) =>
      registry.search(term, SUGGESTION_SEARCH_SIZE).then(
        (answer) => answer.results.map((hit) => hit.name),
        (error: unknown) => {
          logger.warn({ code: error instanceof SpkError ? error.code : 'UNKNOWN' }, 'registry search for name suggestions failed');
          return [];
        },
      ),
    ),
  );
  return closeMatches(name, found.flat());
}

function quoteList(names: string[]): string {
  const quoted = names.map((n) => `"${n}"`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** A range whose pick is not deprecated: on `latest` when it is not, else on the newest such release (or prerelease). */
export function undeprecatedRange(packument: PackumentSummary): string | null {
  const fine = Object.values(packument.versions).filter((v) => !v.deprecated && semver.valid(v.version, { loose: true }));
  const latest = packument['dist-tags'].latest;
  if (latest !== undefined && fine.some((v) => v.version === latest)) return rangeOn(latest);
  const newest = semver.rsort(fine.map((v) => v.version), { loose: true });
  const release = newest.find((v) => !semver.prerelease(v, { loose: true }));
  const chosen = release ?? newest[0];
  return chosen === undefined ? null : rangeOn(chosen);
}

/** What to tell the operator about a range the registry can satisfy: a deprecated pick, a moving dist-tag. */
export function declarationWarnings({ name, range }: Declaration, picked: VersionSummary, packument: PackumentSummary, isTag: boolean): string[] {
  const warnings: string[] = [];
  const alternative = picked.deprecated ? undeprecatedRange(packument) : null;
  if (picked.deprecated) {
    const instead = alternative ? `; declare a range without deprecated versions, e.g. ${name}@${alternative}` : '; every version of it is deprecated';
    warnings.push(`${name}@${range} installs ${picked.version} today, which is deprecated: ${quotedDeprecation(picked.deprecated)}${instead}`);
  }
  // `latest` is what a bare name means: following it is the ordinary choice, not worth a warning.
  if (isTag && range !== 'latest') {
    const pin = alternative ?? rangeOn(picked.version);
    warnings.push(
      `${name}@${range} follows the dist-tag "${range}", which is looked up again at every install and points to ${picked.version} today, so an install may switch versions without the declaration changing; declare a range to choose when that happens, e.g. ${name}@${pin}`,
    );
  }
  return warnings;
}

/** Returns the warnings to pass on (empty when there is nothing to say), or throws the refusal. */
export async function checkDeclaration({ name, range }: Declaration, deps: DeclarationCheckDeps): Promise<string[]> {
  const specProblem = npmSpecProblem(name, range);
  if (specProblem) throw new SpkError('INVALID_SPEC', specProblem, { name, range });
  const legacy = legacyNameReason(name);
  const found = await deps.registry.lookup(name);

  if (found.status === 'unknown') {
    if (legacy) {
      throw new SpkError(
        'REGISTRY_UNREACHABLE',
        `"${name}" is valid only for packages published before npm's current naming rules (${legacy}), so it is accepted only once the registry ${found.registry} confirms it exists, and the registry could not be asked: ${found.reason}; try again when it answers`,
        { name },
      );
    }
    return [`${name}@${range} was declared without checking the registry ${found.registry}: ${found.reason}; the install will fail if the name or range is wrong`];
  }

  if (found.status === 'missing') {
    const suggestions = await suggestNames(name, deps);
    const hint = suggestions.length > 0 ? ` (did you mean ${quoteList(suggestions)}?)` : '';
    const legacyNote = legacy ? `; a name like "${name}" is valid only for packages published before npm's current naming rules (${legacy})` : '';
    throw new SpkError(
      'PACKAGE_NOT_FOUND',
      `package "${name}" was not found in the registry ${found.registry}${hint}${legacyNote}; check the name, or the registry settings (spk registry get) if it is a private package`,
      { name, suggestions },
    );
  }

  const picked = pickVersion(found.packument, range);
  if (!picked) {
    const available = availableVersions(found.packument);
    const proposal = proposedRange(available);
    throw new SpkError(
      'NO_MATCHING_VERSION',
      `${noMatchingVersionText(name, range, found.registry, available)}; declare a range one of them satisfies${proposal ? `, e.g. ${name}@${proposal}` : ''}`,
      { name, range, distTags: found.packument['dist-tags'] },
    );
  }
  return declarationWarnings({ name, range }, picked, found.packument, npmRegistrySpecType(name, range) === 'tag');
}
