// What a registry offers for a package, in words: the newest versions and the dist-tags, for the
// messages that refuse a range no version matches (at declare time and at install time alike).
import semver from 'semver';

export interface AvailableVersions {
  versions: readonly string[];
  distTags: Readonly<Record<string, string>>;
}

const NEWEST_SHOWN = 5;

/** "newest versions: 2.0.0, 1.1.0 (and 3 older); dist-tags: latest=2.0.0, next=3.0.0-rc.1". */
export function describeAvailableVersions({ versions, distTags }: AvailableVersions): string {
  const valid = versions.filter((v) => semver.valid(v, { loose: true }));
  if (valid.length === 0) return 'the registry lists no versions';
  const newest = semver.rsort([...valid], { loose: true }).slice(0, NEWEST_SHOWN);
  const older = valid.length - newest.length;
  const tags = Object.entries(distTags).sort(([a], [b]) => (a === 'latest' ? -1 : b === 'latest' ? 1 : a.localeCompare(b)));
  const tagText = tags.length > 0 ? tags.map(([tag, version]) => `${tag}=${version}`).join(', ') : 'none';
  return `newest versions: ${newest.join(', ')}${older > 0 ? ` (and ${older} older)` : ''}; dist-tags: ${tagText}`;
}

/** The range to declare for one version: a caret on a release, the version itself for a prerelease. */
export function rangeOn(version: string): string {
  return semver.prerelease(version, { loose: true }) ? version : `^${version}`;
}

/** A range worth proposing instead: `^<latest>`, or the latest version itself when it is a prerelease. */
export function proposedRange({ versions, distTags }: AvailableVersions): string | null {
  const latest = distTags.latest ?? semver.rsort(versions.filter((v) => semver.valid(v, { loose: true })), { loose: true })[0];
  return latest ? rangeOn(latest) : null;
}

/** "no version of x matches "^9" in the registry R (newest versions: …; dist-tags: …)". */
export function noMatchingVersionText(name: string, range: string, registry: string, available: AvailableVersions): string {
  return `no version of ${name} matches "${range}" in the registry ${registry} (${describeAvailableVersions(available)})`;
}
