// npm's errors (from Arborist, pacote, npm-registry-fetch) become ours during an install. A failed
// request is worded by the one mapping the registry client uses too (registry/registry-failure.ts),
// told which registry the failing package came from (with scoped registries, not always the
// default one) and what npm was fetching; what only an install meets (no matching version, a
// tarball failing its integrity, conflicting peers) is worded here. A message never holds a
// secret: npm's own text is quoted only where nothing else says what happened, and then without
// any configured secret, URL credentials or query strings.
import { z } from 'zod';
import { redactUrlCredentials, SpkError } from '@spk/common';
import { noMatchingVersionText, proposedRange } from '../registry/available-versions.ts';
import type { NpmError } from '../registry/npm-errors.ts';
import { registryFailure } from '../registry/registry-failure.ts';
import { registryForPackage, withTrailingSlash } from '../registry/request-options.ts';
import { withoutSecrets } from '../registry/secret-scrub.ts';
import type { RegistryAccess } from '../stores/settings-store.ts';

type Mapped = Pick<SpkError, 'code' | 'message' | 'details'>;

/** The registries an install asks, and its request timeout: what a message names. */
export type RegistryNaming = RegistryAccess;

/** `@scope/name` or `name` of a spec like `@scope/name@^1` / `name@1.0.0` / `name`; null when it is not one. */
function nameOfSpec(spec: string): string | null {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  const name = at === -1 ? spec : spec.slice(0, at);
  return /^(?:@[^/@\s]+\/)?[^/@\s]+$/.test(name) ? name : null;
}

function pathSegments(url: string): string[] | null {
  try {
    return new URL(url).pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
}

/** The package a registry URL asks about: `/<name>` (a packument) or `/<name>/-/<file>.tgz` (a tarball). */
function nameOfUrl(url: string): string | null {
  const segments = pathSegments(url);
  if (!segments) return null;
  const dash = segments.indexOf('-');
  const before = dash === -1 ? segments : segments.slice(0, dash);
  const last = before.at(-1);
  if (!last) return null;
  const scope = before.at(-2);
  return nameOfSpec(scope?.startsWith('@') && !last.startsWith('@') ? `${scope}/${last}` : last);
}

/** Whether npm was asking for a tarball (`…/-/<file>.tgz`) rather than a package document. */
function isTarballUrl(url: unknown): boolean {
  const segments = typeof url === 'string' ? pathSegments(url) : null;
  return segments !== null && segments.at(-2) === '-' && /\.tgz$/.test(segments.at(-1) ?? '');
}

/** The URL a network error's message names ("request to <url> failed", "network timeout at: <url>"). */
function urlInMessage(message: string | undefined): string | null {
  return message?.match(/https?:\/\/\S+/)?.[0].replace(/[.,;:)\]]+$/, '') ?? null;
}

/** The package npm was fetching when it failed: its ETARGET name, its pkgid, or the URL it asked. */
export function failedPackageName(e: NpmError): string | null {
  if (e.code === 'ETARGET' && e.name) return e.name;
  if (typeof e.pkgid === 'string') {
    const name = nameOfSpec(e.pkgid);
    if (name) return name;
  }
  const url = typeof e.uri === 'string' ? e.uri : urlInMessage(e.message);
  return url ? nameOfUrl(url) : null;
}

/**
 * The registries (trailing slash) the failing request may have gone to: the one the package comes
 * from when npm says which package; else the registry whose URL starts a URL in npm's error (the
 * longest, as a scope's registry may live under the default one's path); else every configured one.
 */
export function failedRegistries(e: NpmError, naming: RegistryNaming): string[] {
  const name = failedPackageName(e);
  if (name) return [registryForPackage(naming.settings, name)];
  const configured = [...new Set([naming.settings.registry, ...Object.values(naming.settings.scopes)].map(withTrailingSlash))];
  const urls = [typeof e.uri === 'string' ? e.uri : '', ...(e.message?.match(/https?:\/\/\S+/g) ?? [])].map(redactUrlCredentials);
  const asked = configured.filter((registry) => urls.some((url) => url.startsWith(redactUrlCredentials(registry))));
  if (asked.length > 0) return [asked.sort((a, b) => b.length - a.length)[0]!];
  return configured;
}

/**
 * npm's error as an SpkError. `declared` (the declared names) lets a version refusal say which
 * range to change. The cause kept is npm's code alone: npm's error carries the registry's answer
 * (body, headers), which must not reach a log that serializes causes.
 */
export function toResolveError(error: unknown, naming: RegistryNaming, declared: ReadonlyArray<{ name: string }> = []): SpkError {
  if (error instanceof SpkError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as NpmError;
  const registries = failedRegistries(e, naming);
  const registry = registries.map(redactUrlCredentials).join(' or ');
  const cause = { cause: Object.assign(new Error(`npm error ${e.code ?? 'without a code'}`), { code: e.code ?? 'UNKNOWN' }) };
  const name = failedPackageName(e);

  // npm's own refusals first: an integrity failure while reading a body arrives as a request error too.
  const mapped: Mapped =
    installRefusal(e, registry, new Set(declared.map((d) => d.name))) ??
    registryFailure(error, {
      registry: registries,
      timeoutMs: naming.timeoutMs,
      ...(name === null ? {} : { name }),
      install: { fetching: e.pkgid ?? name, tarball: isTarballUrl(e.uri) },
    }) ?? {
      // Nothing else says what happened: npm's own words, cleaned below.
      code: 'RESOLVE_FAILED',
      message: `resolving the package set failed (${e.code ?? 'unknown error'}): ${firstLine(e.message)}`,
      details: { npmCode: e.code ?? null },
    };
  return new SpkError(mapped.code, withoutSecrets(mapped.message, naming.settings), { ...mapped.details, registry }, cause);
}

const stringList = z.array(z.string()).catch([]);
const tagMap = z.record(z.string(), z.string()).catch({});

/** ETARGET from npm-pick-manifest carries the package, the spec and what the packument offers. */
function noMatchingVersion(e: NpmError, registry: string, declared: ReadonlySet<string>): Mapped {
  const name = e.name ?? 'a package';
  const range = e.wanted ?? '?';
  const available = { versions: stringList.parse(e.versions), distTags: tagMap.parse(e.distTags) };
  const proposal = proposedRange(available);
  const advice = declared.has(name)
    ? `change its declared range with "spk packages set ${name}@${proposal ?? '<range>'}"`
    : `${name} is a dependency of a declared package: change that package's range (spk packages set), or declare ${name} at a range that exists`;
  return {
    code: 'NO_MATCHING_VERSION',
    message: `${noMatchingVersionText(name, range, registry, available)}; ${advice}`,
    details: { npmCode: 'ETARGET', name, range, distTags: available.distTags },
  };
}

/** What only an install meets: no matching version, a tarball failing its integrity, conflicting peers. */
function installRefusal(e: NpmError, registry: string, declared: ReadonlySet<string>): Mapped | null {
  const details = { npmCode: e.code ?? null };
  switch (e.code) {
    case 'ETARGET':
      return noMatchingVersion(e, registry, declared);
    case 'EINTEGRITY':
      return { code: 'INTEGRITY_MISMATCH', message: `a tarball from ${registry} did not match its published integrity; it was refused and nothing was published`, details };
    case 'ERESOLVE':
      return { code: 'RESOLVE_FAILED', message: `the declared packages have conflicting peer dependencies: ${firstLine(e.message)}`, details };
    default:
      return null;
  }
}

function firstLine(message: string | undefined): string {
  return (message ?? '').split('\n')[0]!.slice(0, 300);
}
