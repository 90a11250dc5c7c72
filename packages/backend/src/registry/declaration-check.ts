// Declare-time check of one {name, range} against the registry: the package must exist and some
// version must match, else a typed refusal with close names or the versions on offer. When the
// registry cannot say, a new-style name is accepted with a warning; a legacy-only name is not.
// npm's own parser has the last word on the spec: what it does not read as a registry spec is
// refused here even if the browser-safe check in @spk/common let it through.
import { closeMatches, SpkError } from '@spk/common';
import { legacyNameReason, npmRegistrySpecType, npmSpecProblem } from '@spk/common/node';
import { hasMatchingVersion, noMatchingVersionText, proposedRange } from './available-versions.ts';
import type { RegistryReader } from './registry-lookup.ts';

export interface Declaration {
  name: string;
  range: string;
}

const MAX_SEARCHES = 4;

/** Search words likely to surface the intended name: the name, it minus its last letter, and its words. */
export function searchTerms(name: string): string[] {
  const bare = name.replace(/^@[^/]+\//, '');
  const words = bare.split(/[-_.]/).filter((w) => w.length >= 3);
  const terms = [name, bare.slice(0, -1), ...words].filter((t) => t.length >= 2);
  return [...new Set(terms)].slice(0, MAX_SEARCHES);
}

async function suggestNames(name: string, registry: RegistryReader): Promise<string[]> {
  const found = await Promise.all(searchTerms(name).map((term) => registry.search(term)));
  return closeMatches(name, found.flat());
}

function quoteList(names: string[]): string {
  const quoted = names.map((n) => `"${n}"`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** Returns the warnings to pass on (empty when the registry confirmed the declaration), or throws the refusal. */
export async function checkDeclaration({ name, range }: Declaration, registry: RegistryReader): Promise<string[]> {
  const specProblem = npmSpecProblem(name, range);
  if (specProblem) throw new SpkError('INVALID_SPEC', specProblem, { name, range });
  const legacy = legacyNameReason(name);
  const found = await registry.lookup(name);

  if (found.status === 'unknown') {
    if (legacy) {
      throw new SpkError(
        'REGISTRY_UNREACHABLE',
        `"${name}" is valid only for packages published before npm's current naming rules (${legacy}), so it is accepted only once the registry ${registry.url} confirms it exists, and the registry could not be asked: ${found.reason}; try again when it answers`,
        { name },
      );
    }
    return [`${name}@${range} was declared without checking the registry ${registry.url}: ${found.reason}; the install will fail if the name or range is wrong`];
  }

  if (found.status === 'missing') {
    const suggestions = await suggestNames(name, registry);
    const hint = suggestions.length > 0 ? ` (did you mean ${quoteList(suggestions)}?)` : '';
    const legacyNote = legacy ? `; a name like "${name}" is valid only for packages published before npm's current naming rules (${legacy})` : '';
    throw new SpkError(
      'PACKAGE_NOT_FOUND',
      `package "${name}" was not found in the registry ${registry.url}${hint}${legacyNote}; check the name, or the registry settings (spk registry get) if it is a private package`,
      { name, suggestions },
    );
  }

  const type = npmRegistrySpecType(name, range);
  if (type && !hasMatchingVersion(type, range, found)) {
    const proposal = proposedRange(found);
    throw new SpkError(
      'NO_MATCHING_VERSION',
      `${noMatchingVersionText(name, range, registry.url, found)}; declare a range one of them satisfies${proposal ? `, e.g. ${name}@${proposal}` : ''}`,
      { name, range, distTags: found.distTags },
    );
  }
  return [];
}
