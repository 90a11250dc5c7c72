// How npm reads a dependency spec, as a pure function: a registry version, range or dist-tag, or
// something fetched elsewhere (git, a local directory or tarball, a tarball URL, an `npm:` alias),
// or nothing npm can use. Written from npm's documented spec forms (package.json "dependencies",
// `npm install <spec>`) so the browser-safe root needs no Node API; the backend also asks npm's
// own parser (`@spk/common/node`), and npm-parity.test.ts keeps the two in agreement.
import semver from 'semver';
import { hostedGitSpec, type GitHostType } from './hosted-git.ts';
import { isUrlSafe, packageNameProblems } from './package-name.ts';

export type RegistrySpecType = 'range' | 'version' | 'tag';
export type OtherSpecType = 'git' | 'file' | 'directory' | 'remote' | 'alias';

export type SpecReading =
  | { type: RegistrySpecType; name: string | undefined }
  | { type: OtherSpecType; name: string | undefined; host?: GitHostType }
  | { type: 'invalid'; name: string | undefined; reason: string };

const REGISTRY_TYPES: ReadonlySet<string> = new Set<RegistrySpecType>(['range', 'version', 'tag']);
export const isRegistryType = (type: string): type is RegistrySpecType => REGISTRY_TYPES.has(type);

/** A scheme at the start: `https:`, `git+ssh:`, `file:`, `npm:`, `github:`, … (and a drive letter). */
const HAS_SCHEME = /^(?:git[+])?[a-z]+:/i;
/** scp-style git remote: `user@host.tld:path`. */
const SCP_REMOTE = /^[^@]+@[^:.]+\.[^:]+:.+$/i;
const TARBALL_NAME = /[.](?:tgz|tar\.gz|tar)$/i;
/** `./x`, `../x`, `/x`, `~/x`, `C:\x`: a path on this machine. */
const LOCAL_PATH = /^(?:[.]|~[/]|[/]|[a-zA-Z]:)/;
/** `git+ssh://user@host:path[#committish]`: scp form behind a URL prefix; a `:port` is not a path. */
const SSH_SCP_URL = /^git\+ssh:\/\/([^:#]+:[^#]+(?:\.git)?)(?:#(.*))?$/i;
const PORT_NUMBER = /:[0-9]+(\/|$)/;
const GIT_PROTOCOLS = new Set(['git:', 'git+http:', 'git+https:', 'git+rsync:', 'git+ftp:', 'git+file:', 'git+ssh:']);

/**
 * Why a `#committish` part cannot be used, or null. It is `::`-separated: at most one plain
 * commit-ish or one `semver:<range>`, and at most one `path:<dir>`.
 */
function committishProblem(committish: string | null): string | null {
  if (!committish) return null;
  let commit = '';
  let range = '';
  let path = false;
  for (const part of committish.split('::')) {
    if (!part.includes(':')) {
      if (range) return 'cannot override existing semver range with a committish';
      if (commit) return 'cannot override existing committish with a second committish';
      commit = part;
      continue;
    }
    const [key, value = ''] = part.split(':');
    if (key === 'semver') {
      if (commit) return 'cannot override existing committish with a semver range';
      if (range) return 'cannot override existing semver range with a second semver range';
      try {
        range = decodeURIComponent(value);
      } catch {
        return 'URI malformed';
      }
    } else if (key === 'path') {
      if (path) return 'cannot override existing path with a second path';
      path = true;
    }
  }
  return null;
}

function gitReading(name: string | undefined, committish: string | null, host?: GitHostType): SpecReading {
  const problem = committishProblem(committish);
  if (problem) return { type: 'invalid', name, reason: problem };
  return host ? { type: 'git', name, host } : { type: 'git', name };
}

function localReading(name: string | undefined, spec: string): SpecReading {
  return { type: TARBALL_NAME.test(spec) ? 'file' : 'directory', name };
}

function urlReading(name: string | undefined, spec: string): SpecReading {
  if (spec.startsWith('git+ssh:')) {
    const scp = SSH_SCP_URL.exec(spec);
    if (scp?.[1] && !PORT_NUMBER.test(scp[1])) return gitReading(name, scp[2] ?? null);
  }
  let url: URL;
  try {
    url = new URL(spec.startsWith('git+file://') ? spec.replace(/\\/g, '/') : spec);
  } catch {
    return { type: 'invalid', name, reason: 'Invalid URL' };
  }
  if (GIT_PROTOCOLS.has(url.protocol)) return gitReading(name, url.hash.slice(1));
  if (url.protocol === 'http:' || url.protocol === 'https:') return { type: 'remote', name };
  return { type: 'invalid', name, reason: `Unsupported URL Type "${url.protocol}": ${spec}` };
}

function registryReading(name: string | undefined, spec: string, raw: string): SpecReading {
  const trimmed = spec.trim();
  if (semver.valid(trimmed, true)) return { type: 'version', name };
  if (semver.validRange(trimmed, true)) return { type: 'range', name };
  if (isUrlSafe(trimmed)) return { type: 'tag', name };
  return {
    type: 'invalid',
    name,
    reason: `Invalid tag name "${trimmed}" of package "${raw}": Tags may not have any characters that encodeURIComponent encodes.`,
  };
}

/** `npm:<name>[@<range>]` stands for another registry package; nothing else may be aliased. */
function aliasReading(name: string | undefined, target: string): SpecReading {
  const inner = readArgument(target);
  if (inner.type === 'invalid') return { ...inner, name };
  if (inner.type === 'alias') return { type: 'invalid', name, reason: 'nested aliases not supported' };
  if (!isRegistryType(inner.type)) return { type: 'invalid', name, reason: 'aliases only work for registry deps' };
  if (!inner.name) return { type: 'invalid', name, reason: 'aliases must have a name' };
  return { type: 'alias', name };
}

/** How npm reads `spec` as the version part of a dependency on `name` (`"dependencies": { name: spec }`). */
export function readSpec(name: string | undefined, spec: string, raw = name ? `${name}@${spec}` : spec): SpecReading {
  if (name) {
    const { errors } = packageNameProblems(name);
    if (errors.length > 0) return { type: 'invalid', name, reason: `Invalid package name "${name}" of package "${raw}": ${errors.join('; ')}.` };
  }
  if (/^file:/i.test(spec) || LOCAL_PATH.test(spec)) return localReading(name, spec);
  if (/^npm:/i.test(spec)) return aliasReading(name, spec.slice(4));
  const hosted = hostedGitSpec(spec);
  if (hosted) return gitReading(name, hosted.committish, hosted.host);
  if (HAS_SCHEME.test(spec)) return urlReading(name, spec);
  if (spec.includes('/') || TARBALL_NAME.test(spec)) return localReading(name, spec);
  return registryReading(name, spec, raw);
}

/** How npm reads a whole argument (`npm install <arg>`): `name`, `name@spec`, or a bare URL, path or remote. */
export function readArgument(arg: string): SpecReading {
  const nameEnd = arg.indexOf('@', 1);
  const namePart = nameEnd > 0 ? arg.slice(0, nameEnd) : arg;
  if (HAS_SCHEME.test(arg)) return readSpec(undefined, arg);
  if (SCP_REMOTE.test(arg)) return readSpec(undefined, `git+ssh://${arg}`, arg);
  if (!namePart.startsWith('@') && (namePart.includes('/') || TARBALL_NAME.test(namePart))) return readSpec(undefined, arg);
  if (nameEnd > 0) return readSpec(namePart, arg.slice(nameEnd + 1) || '*', arg);
  if (packageNameProblems(arg).errors.length === 0) return readSpec(arg, '*', arg);
  return readSpec(undefined, arg);
}
