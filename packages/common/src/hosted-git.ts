// Which git host a spec points at (GitHub, GitLab, Bitbucket, a gist, sourcehut), by the forms
// npm documents: `github:user/repo` style shortcuts, bare `user/repo`, scp-style `git@host:path`
// and URLs on the host's domain that name a repository. Pure (only the global URL), so the
// browser-safe root can name "a git spec (GitHub)" the way npm would.

export type GitHostType = 'github' | 'gitlab' | 'bitbucket' | 'gist' | 'sourcehut';

export interface HostedGitSpec {
  host: GitHostType;
  /** What follows `#` (a branch, tag, commit or `semver:` range), or null. */
  committish: string | null;
}

interface Repo {
  user: string | null;
  project: string;
  committish: string;
}

interface GitHost {
  domain: string;
  /** URL protocols under which a URL on `domain` is read as this host's repository. */
  protocols: readonly string[];
  /** The repository a URL on `domain` names, or null when it names something else (a tarball, a file). */
  repo(url: URL): Repo | null;
}

const withoutGitSuffix = (project: string): string => (project.endsWith('.git') ? project.slice(0, -4) : project);

/** `/user/project[.git]` with an optional `#committish`, unless the third segment is one of `refused`. */
function userProjectRepo(refused: readonly string[]) {
  return (url: URL): Repo | null => {
    const [, user, project, extra] = url.pathname.split('/', 4);
    if (extra !== undefined && refused.includes(extra)) return null;
    const bare = project === undefined ? '' : withoutGitSuffix(project);
    return user && bare ? { user, project: bare, committish: url.hash.slice(1) } : null;
  };
}

const HOSTS: Record<GitHostType, GitHost> = {
  github: {
    domain: 'github.com',
    protocols: ['git:', 'http:', 'git+ssh:', 'git+https:', 'ssh:', 'https:'],
    repo(url) {
      // `/user/project`, or a branch view `/user/project/tree/<committish>`.
      const [, user, project, view, ref] = url.pathname.split('/', 5);
      if (view && view !== 'tree') return null;
      const bare = project === undefined ? '' : withoutGitSuffix(project);
      if (!user || !bare) return null;
      return { user, project: bare, committish: view ? (ref ?? '') : url.hash.slice(1) };
    },
  },
  bitbucket: {
    domain: 'bitbucket.org',
    protocols: ['git+ssh:', 'git+https:', 'ssh:', 'https:'],
    repo: userProjectRepo(['get']),
  },
  gitlab: {
    domain: 'gitlab.com',
    protocols: ['git+ssh:', 'git+https:', 'ssh:', 'https:'],
    repo(url) {
      // Groups nest: everything before the last segment is the owner.
      const path = url.pathname.slice(1);
      if (path.includes('/-/') || path.includes('/archive.tar.gz')) return null;
      const segments = path.split('/');
      const project = withoutGitSuffix(segments.pop() ?? '');
      const user = segments.join('/');
      return user && project ? { user, project, committish: url.hash.slice(1) } : null;
    },
  },
  gist: {
    domain: 'gist.github.com',
    protocols: ['git:', 'git+ssh:', 'git+https:', 'ssh:', 'https:'],
    repo(url) {
      // `/user/id` or just `/id`; `/user/id/raw/...` is a file.
      const [, first, second, extra] = url.pathname.split('/', 4);
      if (extra === 'raw') return null;
      if (!second && !first) return null;
      return second
        ? { user: first ?? null, project: withoutGitSuffix(second), committish: url.hash.slice(1) }
        : { user: null, project: withoutGitSuffix(first ?? ''), committish: url.hash.slice(1) };
    },
  },
  sourcehut: {
    domain: 'git.sr.ht',
    protocols: ['git+ssh:', 'https:'],
    repo: userProjectRepo(['archive']),
  },
};

const HOST_TYPES = Object.keys(HOSTS) as GitHostType[];
const hostByShortcut = (protocol: string): GitHostType | undefined => HOST_TYPES.find((type) => `${type}:` === protocol);
const hostByDomain = (hostname: string): GitHostType | undefined => {
  const domain = hostname.startsWith('www.') ? hostname.slice(4) : hostname;
  return HOST_TYPES.find((type) => HOSTS[type].domain === domain);
};

/** Protocols that need no `//` added: the git transports and the hosts' own shortcuts. */
const KNOWN_PROTOCOLS = new Set(['git+ssh:', 'ssh:', 'git+https:', 'git:', 'http:', 'https:', 'git+http:', ...HOST_TYPES.map((t) => `${t}:`)]);

/** Where `char` last occurs before the first `stop` (anywhere when there is no `stop`), or -1. */
function lastIndexBefore(text: string, char: string, stop: string): number {
  const end = text.indexOf(stop);
  return text.lastIndexOf(char, end === -1 ? Infinity : end);
}

/** Everything before the first `#` (a committish may hold any character). */
function beforeHash(text: string, index: number): boolean {
  const hash = text.indexOf('#');
  return hash === -1 || index < hash;
}

/** `user/repo` as GitHub shorthand: one slash, and no space, `@` or `:` before any `#`; not a path. */
function isGitHubShorthand(spec: string): boolean {
  const hash = spec.indexOf('#');
  const firstSlash = spec.indexOf('/');
  const space = /\s/.exec(spec)?.index ?? -1;
  const only = (index: number): boolean => index === -1 || !beforeHash(spec, index);
  const endsWithSlash = hash === -1 ? spec.endsWith('/') : spec[hash - 1] === '/';
  return (
    firstSlash > 0 &&
    only(spec.indexOf('/', firstSlash + 1)) &&
    only(space) &&
    only(spec.indexOf('@')) &&
    only(spec.indexOf(':')) &&
    !endsWithSlash &&
    !spec.startsWith('.')
  );
}

/** Adds the `//` a known-host or scp-style remote leaves out, as git itself reads it. */
function withProtocol(spec: string): string {
  const colon = spec.indexOf(':');
  if (KNOWN_PROTOCOLS.has(spec.slice(0, colon + 1))) return spec;
  if (colon !== -1 && spec.slice(colon, colon + 3) === '://') return spec;
  const at = spec.indexOf('@');
  if (at !== -1) return at > colon ? `git+ssh://${spec}` : spec;
  return `${spec.slice(0, colon + 1)}//${spec.slice(colon + 1)}`;
}

/** `host:path` (scp style) as `host/path`, and `git+ssh://` for a remote with no protocol. */
function scpAsUrl(spec: string): string {
  const at = lastIndexBefore(spec, '@', '#');
  const colon = lastIndexBefore(spec, ':', '#');
  let url = colon > at ? `${spec.slice(0, colon)}/${spec.slice(colon + 1)}` : spec;
  if (lastIndexBefore(url, ':', '#') === -1 && !url.includes('//')) url = `git+ssh://${url}`;
  return url;
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** decodeURIComponent, or null for a malformed escape (npm then does not read the spec as hosted). */
function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** A shortcut's path is `[user/]project`, perhaps after an ignored `auth@`. */
function shortcutCommittish(url: URL): string | null | undefined {
  let path = url.pathname.startsWith('/') ? url.pathname.slice(1) : url.pathname;
  path = path.slice(path.indexOf('@') + 1);
  const slash = path.lastIndexOf('/');
  if (decoded(path.slice(0, Math.max(slash, 0))) === null || decoded(path.slice(slash + 1)) === null) return undefined;
  if (!url.hash) return null;
  return decoded(url.hash.slice(1)) ?? undefined;
}

/** The git host `spec` names a repository on, with its committish; null when it is no hosted git spec. */
export function hostedGitSpec(spec: string): HostedGitSpec | null {
  if (!spec) return null;
  const corrected = withProtocol(isGitHubShorthand(spec) ? `github:${spec}` : spec);
  const url = parseUrl(corrected) ?? parseUrl(scpAsUrl(corrected));
  if (!url) return null;

  const shortcut = hostByShortcut(url.protocol);
  if (shortcut) {
    const committish = shortcutCommittish(url);
    return committish === undefined ? null : { host: shortcut, committish };
  }
  const host = hostByDomain(url.hostname);
  if (!host || !HOSTS[host].protocols.includes(url.protocol)) return null;
  const repo = HOSTS[host].repo(url);
  if (!repo) return null;
  const parts = [repo.user ?? '', repo.project, repo.committish].map(decoded);
  if (parts.includes(null)) return null;
  return { host, committish: parts[2] || null };
}
