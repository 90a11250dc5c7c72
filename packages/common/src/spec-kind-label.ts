// The words a refusal uses for a spec that is not a registry one ("a git spec (GitHub)", "a
// tarball URL spec", …), shared by the browser-safe reader and the npm-backed one in ./node/.

const KIND_LABELS: Record<string, string> = {
  git: 'a git spec',
  file: 'a local tarball (file:) spec',
  directory: 'a local directory (file:) spec',
  remote: 'a tarball URL spec',
  alias: 'an alias (npm:) spec',
};
const HOST_LABELS: Record<string, string> = { github: 'GitHub', gitlab: 'GitLab', bitbucket: 'Bitbucket', gist: 'GitHub gist', sourcehut: 'sourcehut' };

/** What to do instead, after any refused non-registry spec. */
export const REGISTRY_SPECS_ONLY =
  'only registry specs are allowed: a name with an optional semver range, exact version or dist-tag (zod, zod@^3.23, zod@latest); publish other code to a registry first';

/** "a git spec (GitHub)" for npm's spec type `git` on host `github`, and so on. */
export function specKindLabel(type: string, host?: string): string {
  const label = KIND_LABELS[type] ?? `a ${type} spec`;
  const hostLabel = type === 'git' && host ? HOST_LABELS[host] : undefined;
  return hostLabel ? `${label} (${hostLabel})` : label;
}
