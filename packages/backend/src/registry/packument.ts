// A registry's package document (packument), validated and cut down to what the registry client
// answers: per version only the facts it reports (deprecation, types, install scripts, size, …)
// and the fields npm-pick-manifest reads. A full packument runs to megabytes (every version's
// manifest, readmes); the summary is what the client caches, so memory stays small.
// Their types travel with this file, so every program that compiles it (the server, the CLI's tests) has them.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the libraries ship no types: see the file
/// <reference path="./npm-libraries.d.ts" />
import hostedGitInfo from 'hosted-git-info';
import pickManifest from 'npm-pick-manifest';
import semver from 'semver';
import { z } from 'zod';
import type { AvailableVersions } from './available-versions.ts';
import type { NpmError } from './npm-errors.ts';

/** One version, as the client reports it. Field names as npm's so npm-pick-manifest can read it. */
export interface VersionSummary {
  version: string;
  /** npm's deprecation message; absent when the version is not deprecated. */
  deprecated?: string;
  /** Kept for npm-pick-manifest, which prefers versions whose `engines.node` this Node satisfies. */
  engines?: Record<string, string>;
  description: string | null;
  license: string | null;
  homepage: string | null;
  repository: string | null;
  unpackedSize: number | null;
  dependencyCount: number;
  hasOwnTypes: boolean;
  hasInstallScript: boolean;
}

/** The packument, summarized: npm's key names, so it can go to npm-pick-manifest as it is. */
export interface PackumentSummary {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, VersionSummary>;
  /** Publish time per version (ISO), as the registry's `time` object has it. */
  time: Record<string, string>;
}

// Registries serve whatever publishers wrote: one odd field must not make a whole package
// unreadable, so each field falls back to "absent" instead of failing the document.
const optionalString = z.string().optional().catch(undefined);
const stringRecord = z.record(z.string(), z.string()).optional().catch(undefined);
const LICENSE_TYPE = z.object({ type: z.string() });

const manifestSchema = z.looseObject({
  version: z.string(),
  deprecated: z.union([z.string(), z.boolean()]).optional().catch(undefined),
  engines: stringRecord,
  description: optionalString,
  license: z.union([z.string(), LICENSE_TYPE]).optional().catch(undefined),
  licenses: z.array(LICENSE_TYPE).optional().catch(undefined),
  homepage: optionalString,
  repository: z.union([z.string(), z.object({ url: z.string() })]).optional().catch(undefined),
  dist: z.object({ unpackedSize: z.number().int().nonnegative().optional().catch(undefined) }).optional().catch(undefined),
  dependencies: z.record(z.string(), z.unknown()).optional().catch(undefined),
  types: optionalString,
  typings: optionalString,
  exports: z.unknown().optional(),
  scripts: z.record(z.string(), z.unknown()).optional().catch(undefined),
  gypfile: z.boolean().optional().catch(undefined),
  hasInstallScript: z.boolean().optional().catch(undefined),
});
type Manifest = z.infer<typeof manifestSchema>;

const packumentSchema = z.object({
  name: z.string().optional().catch(undefined),
  'dist-tags': z.record(z.string(), z.string()).catch({}).default({}),
  versions: z.record(z.string(), z.unknown()),
  time: z.record(z.string(), z.unknown()).catch({}).default({}),
});

/** The summary of a packument, or null when the document is not one (no `versions` map). */
export function summarizePackument(name: string, body: unknown): PackumentSummary | null {
  const parsed = packumentSchema.safeParse(body);
  if (!parsed.success) return null;
  const versions: Record<string, VersionSummary> = {};
  for (const [version, raw] of Object.entries(parsed.data.versions)) {
    const manifest = manifestSchema.safeParse(raw);
    // A version whose manifest is not even an object with a version is one npm could not install either.
    if (manifest.success && manifest.data.version === version) versions[version] = summarizeVersion(manifest.data);
  }
  const time = Object.fromEntries(
    Object.entries(parsed.data.time).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] in versions),
  );
  return { name: parsed.data.name ?? name, 'dist-tags': parsed.data['dist-tags'], versions, time };
}

function summarizeVersion(m: Manifest): VersionSummary {
  const summary: VersionSummary = {
    version: m.version,
    description: m.description ?? null,
    license: licenseOf(m),
    homepage: m.homepage ?? null,
    repository: repositoryUrl(m.repository),
    unpackedSize: m.dist?.unpackedSize ?? null,
    dependencyCount: Object.keys(m.dependencies ?? {}).length,
    hasOwnTypes: Boolean(m.types || m.typings) || hasTypesCondition(m.exports),
    hasInstallScript: hasInstallScript(m),
  };
  // npm un-deprecates by setting "" (and some old documents say `false`).
  if (typeof m.deprecated === 'string' && m.deprecated !== '') summary.deprecated = m.deprecated;
  if (m.engines) summary.engines = m.engines;
  return summary;
}

function licenseOf(m: Manifest): string | null {
  if (typeof m.license === 'string') return m.license;
  if (m.license) return m.license.type;
  // The long-deprecated `licenses: [{type}]` form.
  return m.licenses && m.licenses.length > 0 ? m.licenses.map((l) => l.type).join(' OR ') : null;
}

/**
 * A repository as a link: a hosted one (GitHub, GitLab, …, in any of npm's spellings) as its web
 * page, another with `git+` and `.git` dropped. Credentials in it are never passed on.
 */
export function repositoryUrl(repository: string | { url: string } | undefined): string | null {
  const raw = (typeof repository === 'string' ? repository : repository?.url)?.trim();
  if (!raw) return null;
  const hosted = hostedGitInfo.fromUrl(raw);
  if (hosted) return hosted.browse();
  const plain = raw.replace(/^git\+/, '').replace(/\.git$/, '');
  return withoutCredentials(plain.startsWith('git://') ? `https://${plain.slice('git://'.length)}` : plain);
}

// `git@host` is a login name, not a secret; anything else before the `@` may be a token.
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '' && (parsed.username === '' || parsed.username === 'git')) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

const MAX_EXPORTS_DEPTH = 8;

/** Whether `exports` has a `types` condition (or a versioned one, `types@>=5`) anywhere. */
export function hasTypesCondition(exports: unknown, depth = 0): boolean {
  if (depth > MAX_EXPORTS_DEPTH || typeof exports !== 'object' || exports === null) return false;
  if (Array.isArray(exports)) return exports.some((fallback) => hasTypesCondition(fallback, depth + 1));
  return Object.entries(exports).some(([key, value]) => key === 'types' || key.startsWith('types@') || hasTypesCondition(value, depth + 1));
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const;

/** Whether installing runs a script: a lifecycle script, or a binding.gyp npm would build (`gypfile`). */
function hasInstallScript(m: Manifest): boolean {
  if (m.hasInstallScript === true || m.gypfile === true) return true;
  return INSTALL_SCRIPTS.some((stage) => typeof m.scripts?.[stage] === 'string');
}

/** Versions and dist-tags, as the "no version matches" messages take them. */
export function availableVersions(packument: PackumentSummary): AvailableVersions {
  return { versions: Object.keys(packument.versions), distTags: packument['dist-tags'] };
}

/** Valid versions newest first, then any a publisher got into the document without being semver. */
export function versionsNewestFirst(packument: PackumentSummary): string[] {
  const all = Object.keys(packument.versions);
  const valid = all.filter((v) => semver.valid(v, { loose: true }));
  return [...semver.rsort(valid, { loose: true }), ...all.filter((v) => !valid.includes(v))];
}

/**
 * The version npm would install for `range` (a range, version or dist-tag) today, as npm itself
 * picks it (npm-pick-manifest: `latest` when it satisfies, else the newest non-deprecated match);
 * null when no version satisfies it.
 */
export function pickVersion(packument: PackumentSummary, range: string): VersionSummary | null {
  try {
    return pickManifest(packument, range);
  } catch (error) {
    const code = (error as NpmError).code;
    if (code === 'ETARGET' || code === 'ENOVERSIONS') return null;
    throw error;
  }
}
