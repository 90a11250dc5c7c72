// The registry client for people rather than installs: search, a package's versions, what a
// package is, and the lookup behind declare-time checks. Each request is built from the one
// registry configuration (npmRequestOptions, the installer's own), goes to the package's scope
// registry, is bounded in time and bytes, validated, and kept for a minute under a key that
// includes the configuration, so a settings change is never answered from a stale entry.
import { createHash } from 'node:crypto';
import npmFetch from 'npm-registry-fetch';
import { z } from 'zod';
import {
  atTypesName,
  checkPackageName,
  isSpkError,
  parsePackageSpec,
  redactUrlCredentials,
  SpkError,
  type RegistryPackageResult,
  type RegistrySearchResult,
  type RegistrySettings,
  type RegistryVersionsResult,
} from '@spk/common';
import { npmSpecProblem } from '@spk/common/node';
import { createByteBoundedLru } from '../http/byte-bounded-lru.ts';
import { answerHeaders, type PackumentCache, type PackumentFetch } from '../packument-cache/packument-cache.ts';
import type { Logger } from '../services.ts';
import type { RegistryAccess } from '../stores/settings-store.ts';
import { noMatchingVersionText, proposedRange } from './available-versions.ts';
import { availableVersions, pickVersion, summarizePackument, versionsNewestFirst, type PackumentSummary, type VersionSummary } from './packument.ts';
import { answerTooLarge, registryFailure, RegistryRequestError, unreadableAnswer } from './registry-failure.ts';
import { npmRequestOptions, registryForPackage, withTrailingSlash } from './request-options.ts';

/** An operator is waiting: a request gets at most this long, even when installs may wait longer. */
export const LOOKUP_TIMEOUT_MS = 10_000;
export const DEFAULT_CACHE_TTL_MS = 60_000;
/** A full packument of a big package (typescript: ~10 MB) fits; a document beyond this is refused, not read. */
export const MAX_PACKUMENT_BYTES = 16 * 1024 * 1024;
export const MAX_SEARCH_BYTES = 2 * 1024 * 1024;
// What is cached are summaries (packument.ts), far smaller than the documents they come from.
const CACHE_BYTES = 32 * 1024 * 1024;
const CACHE_ENTRY_BYTES = 8 * 1024 * 1024;
// The full document, as the installer (pacote) asks for it: the same entry in the packument cache.
const JSON_TYPE = 'application/json';

export interface RegistryClientDeps {
  /** The registry configuration with its secrets, read per call (settings-store's getRegistryAccess). */
  access(): Promise<RegistryAccess>;
  logger: Logger;
  cacheTtlMs?: number;
  /** Milliseconds since the epoch; for tests of the cache's expiry. */
  now?: () => number;
  /** The persistent packument cache the installer uses too: package documents are revalidated through it (a 304 answered from disk). */
  packumentCache?: PackumentCache;
}

export type PackageLookup =
  | { status: 'found'; registry: string; packument: PackumentSummary }
  | { status: 'missing'; registry: string }
  /** The registry could not say: unreachable, too slow, refused access or answered nonsense. */
  | { status: 'unknown'; registry: string; reason: string };

export interface RegistryClient {
  search(text: string, size: number): Promise<RegistrySearchResult>;
  versions(name: string): Promise<RegistryVersionsResult>;
  /** `name`, `name@range` or `name@tag`. */
  packageInfo(spec: string): Promise<RegistryPackageResult>;
  /** Whether the registry has `name`, and what it offers; never throws for a registry failure. */
  lookup(name: string): Promise<PackageLookup>;
}

const searchFlagSchema = z.union([z.string(), z.boolean()]).optional().catch(undefined);
const searchSchema = z.object({
  objects: z.array(
    z.object({
      package: z.looseObject({
        name: z.string(),
        version: z.string().optional().catch(undefined),
        description: z.string().nullish().catch(null),
        date: z.string().optional().catch(undefined),
        deprecated: searchFlagSchema,
        // Verdaccio answers with the document's dist-tags and time instead of version and date.
        'dist-tags': z.record(z.string(), z.string()).optional().catch(undefined),
        time: z.object({ modified: z.string().optional() }).optional().catch(undefined),
      }),
      flags: z.looseObject({ deprecated: searchFlagSchema }).optional().catch(undefined),
    }),
  ),
});
type SearchHit = RegistrySearchResult['results'][number];

function deprecationOf(...flags: Array<string | boolean | undefined>): string | null {
  for (const flag of flags) {
    if (typeof flag === 'string' && flag !== '') return flag;
    if (flag === true) return 'deprecated';
  }
  return null;
}

function readSearch(body: unknown): SearchHit[] | null {
  const parsed = searchSchema.safeParse(body);
  if (!parsed.success) return null;
  return parsed.data.objects.flatMap(({ package: p, flags }) => {
    const version = p.version ?? p['dist-tags']?.latest;
    if (version === undefined) return [];
    return [{ name: p.name, version, description: p.description ?? null, date: p.date ?? p.time?.modified ?? null, deprecated: deprecationOf(p.deprecated, flags?.deprecated) }];
  });
}

/** The registry path of a package: the scope's slash encoded, as npm sends it. */
const packagePath = (name: string) => name.replace('/', '%2f');

/** Who is asking, as a digest: the cache key changes with any setting (a token included) without holding it. */
function configIdentity(settings: RegistrySettings, timeoutMs: number): string {
  return createHash('sha256').update(JSON.stringify({ settings, timeoutMs })).digest('base64url').slice(0, 22);
}

interface Prepared {
  settings: RegistrySettings;
  timeoutMs: number;
  identity: string;
  options: Record<string, unknown>;
}

interface JsonRequest<T> {
  registry: string;
  path: string;
  query?: Record<string, string>;
  /** The package asked about (for messages and the 404 mapping). */
  name?: string;
  maxBytes: number;
  /** "a package document": what the answer must be. */
  expected: string;
  /** A package document: asked for through the persistent packument cache, when there is one. */
  packument?: true;
  read(body: unknown): T | null;
}

async function readCapped(body: NodeJS.ReadableStream, declaredLength: string | null, maxBytes: number, onTooLarge: () => Error): Promise<Buffer> {
  const destroy = () => (body as { destroy?: () => void }).destroy?.();
  if (declaredLength !== null && Number(declaredLength) > maxBytes) {
    destroy();
    throw onTooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > maxBytes) {
      destroy();
      throw onTooLarge();
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}

export function createRegistryClient(deps: RegistryClientDeps): RegistryClient {
  const log = deps.logger.child({ component: 'registry-client' });
  const now = deps.now ?? Date.now;
  const ttlMs = deps.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  const cache = createByteBoundedLru<{ value: unknown; expiresAt: number }>({ maxBytes: CACHE_BYTES, maxEntryBytes: CACHE_ENTRY_BYTES });
  // Concurrent askers of one document share one request.
  const inFlight = new Map<string, Promise<unknown>>();

  async function prepare(): Promise<Prepared> {
    const { settings, timeoutMs: serverTimeoutMs } = await deps.access();
    const timeoutMs = Math.min(serverTimeoutMs, LOOKUP_TIMEOUT_MS);
    return { settings, timeoutMs, identity: configIdentity(settings, timeoutMs), options: npmRequestOptions({ settings, timeoutMs }) };
  }

  async function fetchJson<T>(p: Prepared, url: string, req: JsonRequest<T>): Promise<T> {
    // npm's `timeout` covers waiting for the answer; this deadline also covers reading its body.
    const deadline = AbortSignal.timeout(p.timeoutMs);
    const ctx = { registry: req.registry, timeoutMs: p.timeoutMs, ...(req.name === undefined ? {} : { name: req.name }) };
    const ask: PackumentFetch = async (conditional) => {
      const response = await npmFetch(url, {
        ...p.options,
        headers: { accept: JSON_TYPE, ...conditional },
        // One attempt: a retry would stretch the wait past the deadline an operator was promised.
        fetchRetries: 0,
        signal: deadline,
      } as npmFetch.Options);
      if (response.status === 304) {
        response.body.resume();
        return { status: 304, headers: answerHeaders(response.headers) };
      }
      const body = await readCapped(response.body, response.headers.get('content-length'), req.maxBytes, () => answerTooLarge(ctx, req.maxBytes));
      return { status: 200, body, headers: answerHeaders(response.headers) };
    };
    let raw: Buffer;
    try {
      if (req.packument && deps.packumentCache) {
        // Always asked (a 304 is cheap): an operator's question is answered from the registry's
        // document as it is now, and this client keeps its own summaries for a minute anyway.
        raw = (await (await deps.packumentCache.current({ url, accept: JSON_TYPE }, ask, { revalidate: true })).document()).body;
        // A copy the installer kept (it reads documents of any size) is held to this client's bound too.
        if (raw.byteLength > req.maxBytes) throw answerTooLarge(ctx, req.maxBytes);
      } else {
        const answer = await ask({});
        if (answer.status === 304) throw unreadableAnswer(ctx, req.expected);
        raw = answer.body;
      }
    } catch (error) {
      if (error instanceof RegistryRequestError) throw error;
      throw registryFailure(error, { ...ctx, timedOut: deadline.aborted }) ?? error;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw unreadableAnswer(ctx, req.expected);
    }
    const value = req.read(body);
    if (value === null) throw unreadableAnswer(ctx, req.expected);
    return value;
  }

  async function getJson<T>(p: Prepared, req: JsonRequest<T>): Promise<T> {
    const query = req.query ? `?${new URLSearchParams(req.query).toString()}` : '';
    const url = `${req.registry}${req.path}${query}`;
    const key = `${p.identity} ${url}`;
    const hit = cache.get(key);
    if (hit && hit.expiresAt > now()) return hit.value as T;
    if (hit) cache.delete(key);
    const pending = inFlight.get(key);
    if (pending) return pending as Promise<T>;

    const fetching = fetchJson(p, url, req)
      .then((value) => {
        cache.set(key, { value, expiresAt: now() + ttlMs }, Buffer.byteLength(JSON.stringify(value)));
        return value;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, fetching);
    return fetching;
  }

  async function packument(p: Prepared, name: string): Promise<{ registry: string; packument: PackumentSummary }> {
    const registry = registryForPackage(p.settings, name);
    const summary = await getJson(p, {
      registry,
      path: packagePath(name),
      name,
      maxBytes: MAX_PACKUMENT_BYTES,
      expected: 'a package document',
      packument: true,
      read: (body) => summarizePackument(name, body),
    });
    return { registry: redactUrlCredentials(registry), packument: summary };
  }

  function checkedName(name: string): string {
    const problem = checkPackageName(name);
    if (problem) throw new SpkError('INVALID_SPEC', problem, { name });
    return name;
  }

  /** The `@types/*` companion when the registry has it; any failure to find out means "none". */
  async function typesCompanion(p: Prepared, name: string): Promise<string | null> {
    const typesName = atTypesName(name);
    try {
      await packument(p, typesName);
      return typesName;
    } catch (error) {
      if (!isSpkError(error, 'PACKAGE_NOT_FOUND')) log.debug({ code: isSpkError(error) ? error.code : 'UNKNOWN', name: typesName }, 'types companion lookup failed');
      return null;
    }
  }

  function pick(name: string, range: string, registry: string, summary: PackumentSummary): VersionSummary {
    const picked = pickVersion(summary, range);
    if (picked) return picked;
    const available = availableVersions(summary);
    const proposal = proposedRange(available);
    throw new SpkError('NO_MATCHING_VERSION', `${noMatchingVersionText(name, range, registry, available)}${proposal ? `; try ${name}@${proposal}` : ''}`, {
      name,
      range,
      distTags: summary['dist-tags'],
    });
  }

  return {
    async search(text, size) {
      const p = await prepare();
      const registry = withTrailingSlash(p.settings.registry);
      const results = await getJson(p, {
        registry,
        path: '-/v1/search',
        query: { text, size: String(size) },
        maxBytes: MAX_SEARCH_BYTES,
        expected: 'a search answer',
        read: readSearch,
      });
      return { registry: redactUrlCredentials(registry), results: results.slice(0, size) };
    },

    async versions(name) {
      const p = await prepare();
      const { registry, packument: summary } = await packument(p, checkedName(name));
      return {
        name: summary.name,
        registry,
        distTags: summary['dist-tags'],
        versions: versionsNewestFirst(summary).map((version) => ({
          version,
          deprecated: summary.versions[version]?.deprecated ?? null,
          publishedAt: summary.time[version] ?? null,
        })),
      };
    },

    async packageInfo(spec) {
      const { name, range } = parsePackageSpec(spec);
      const problem = npmSpecProblem(name, range);
      if (problem) throw new SpkError('INVALID_SPEC', problem, { spec });
      const p = await prepare();
      const { registry, packument: summary } = await packument(p, name);
      const picked = pick(name, range, registry, summary);
      const typesPackage = picked.hasOwnTypes || name.startsWith('@types/') ? null : await typesCompanion(p, name);
      return {
        name: summary.name,
        registry,
        version: picked.version,
        latest: summary['dist-tags'].latest ?? null,
        description: picked.description,
        license: picked.license,
        homepage: picked.homepage,
        repository: picked.repository,
        unpackedSize: picked.unpackedSize,
        dependencyCount: picked.dependencyCount,
        hasOwnTypes: picked.hasOwnTypes,
        typesPackage,
        deprecated: picked.deprecated ?? null,
        hasInstallScript: picked.hasInstallScript,
        distTags: summary['dist-tags'],
      };
    },

    async lookup(name) {
      const p = await prepare();
      try {
        return { status: 'found', ...(await packument(p, name)) };
      } catch (error) {
        if (!(error instanceof RegistryRequestError)) throw error;
        const registry = String(error.details?.registry);
        if (error.code === 'PACKAGE_NOT_FOUND') return { status: 'missing', registry };
        return { status: 'unknown', registry, reason: error.reason };
      }
    },
  };
}
