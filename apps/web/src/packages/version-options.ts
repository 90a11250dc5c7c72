// The "Version" select's choices from a registry versions answer: dist-tags first (the range stays
// the tag, so "latest" follows new releases), then exact versions newest first. The server already
// answers newest first; we keep its order rather than re-sorting without semver in the browser.
import type { RegistryVersionsResult } from '@spk/common';

export interface VersionOption {
  /** What becomes the declared range: a dist-tag name or an exact version. */
  value: string;
  label: string;
  group: 'tags' | 'versions';
}

const DEPRECATED_MARK = ' (deprecated)';

/** `latest` leads (it is what "no range" means); the other tags follow by name. */
function tagOrder(a: string, b: string): number {
  if (a === 'latest') return -1;
  if (b === 'latest') return 1;
  return a.localeCompare(b);
}

export function versionOptions(answer: RegistryVersionsResult): VersionOption[] {
  const deprecated = new Set(answer.versions.filter((v) => v.deprecated !== null).map((v) => v.version));
  const mark = (version: string) => (deprecated.has(version) ? DEPRECATED_MARK : '');
  const tags = Object.keys(answer.distTags)
    .sort(tagOrder)
    .map((tag): VersionOption => {
      const version = answer.distTags[tag] ?? '';
      return { value: tag, label: `${tag} → ${version}${mark(version)}`, group: 'tags' };
    });
  const versions = answer.versions.map((v): VersionOption => ({ value: v.version, label: `${v.version}${mark(v.version)}`, group: 'versions' }));
  return [...tags, ...versions];
}

/** The choice to preselect: the `latest` tag when there is one, else the newest version. */
export function defaultVersionChoice(options: readonly VersionOption[]): string {
  return (options.find((o) => o.value === 'latest') ?? options[0])?.value ?? '';
}
