// The persistent packument cache in the data dir that every request for a package document goes
// through (installs and the registry client). A document is used without asking the registry only
// while it is fresh: validated less than `maxAgeMs` ago (default 5 min, as npm's registry allows
// with max-age=300), or less if the registry said so (Cache-Control: max-age, no-cache; no-store is
// not kept). Past that it is revalidated with the validators the registry gave (If-None-Match /
// If-Modified-Since): a 304 is answered from disk, and a full answer equal to the kept body counts
// as unchanged too (some registries and mirrors send no validators). A caller that finds a fresh
// document cannot satisfy what it needs asks again with `revalidate`. Bounded in size: the least
// recently revalidated entries go first.
import path from 'node:path';
import { SpkError } from '@spk/common';
import { createPackumentFiles, digestOf, entryId, type PackumentFiles, type PackumentMeta } from './packument-files.ts';

export const DEFAULT_PACKUMENT_CACHE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_PACKUMENT_MAX_AGE_MS = 5 * 60 * 1000;

export interface PackumentRequest {
  /** The document's URL: a registry URL never carries credentials, so neither does the cache key. */
  url: string;
  accept: string;
}

/** The headers of an answer the cache reads. */
export interface AnswerHeaders {
  etag: string | null;
  lastModified: string | null;
  cacheControl: string | null;
  age: string | null;
}

/** What the registry answered; an error answer is thrown by the fetch instead. */
export type RegistryAnswer = { status: 304; headers: AnswerHeaders } | { status: 200; body: Buffer; headers: AnswerHeaders };

/** Sends the request with these extra (conditional) request headers. */
export type PackumentFetch = (conditional: Record<string, string>) => Promise<RegistryAnswer>;

export interface CurrentPackument {
  /** sha256 of the document: equal digests, equal documents. */
  digest: string;
  /** Used while fresh without asking, a 304, a full answer equal to the kept body, or a new or changed document. */
  via: 'fresh' | 'not-modified' | 'same' | 'fetched';
  /**
   * The document and its digest; read from disk only when asked for (a no-op install needs the
   * digest alone). Its digest differs from `digest` only if the kept body was lost meanwhile and
   * the registry's answer changed when it was asked again.
   */
  document(): Promise<{ body: Buffer; digest: string }>;
}

export interface PackumentCache {
  /** The document for `request`: kept and fresh, or as the registry answers now; with `revalidate`, always asked. */
  current(request: PackumentRequest, fetch: PackumentFetch, options?: { revalidate?: boolean }): Promise<CurrentPackument>;
}

export interface PackumentCacheOptions {
  dir: string;
  maxBytes?: number;
  /** The longest a document is used without asking the registry again; 0: ask every time. */
  maxAgeMs?: number;
  /** Milliseconds since the epoch; for tests of freshness. */
  now?: () => number;
}

/** The cache under `<dataDir>/packument-cache`. */
export const packumentCacheDir = (dataDir: string): string => path.join(dataDir, 'packument-cache', 'entries');

/** The headers the cache reads, from a fetch response's. */
export function answerHeaders(headers: { get(name: string): string | null }): AnswerHeaders {
  return { etag: headers.get('etag'), lastModified: headers.get('last-modified'), cacheControl: headers.get('cache-control'), age: headers.get('age') };
}

/** Whether an answer may be kept, and for how long the registry says it may be used without asking (null: it did not say). */
function policyOf(headers: AnswerHeaders): { keep: boolean; maxAgeMs: number | null } {
  const directives = (headers.cacheControl ?? '').toLowerCase().split(',').map((d) => d.trim());
  if (directives.includes('no-store')) return { keep: false, maxAgeMs: 0 };
  if (directives.includes('no-cache')) return { keep: true, maxAgeMs: 0 };
  const maxAge = directives.map((d) => /^max-age=(\d+)$/.exec(d)?.[1]).find((v) => v !== undefined);
  if (maxAge === undefined) return { keep: true, maxAgeMs: null };
  const age = Number(headers.age ?? 0);
  return { keep: true, maxAgeMs: Math.max(0, Number(maxAge) - (Number.isFinite(age) ? age : 0)) * 1000 };
}

function conditionalHeaders(meta: PackumentMeta | null): Record<string, string> {
  if (!meta) return {};
  return { ...(meta.etag ? { 'if-none-match': meta.etag } : {}), ...(meta.lastModified ? { 'if-modified-since': meta.lastModified } : {}) };
}

export function createPackumentCache(options: PackumentCacheOptions): PackumentCache {
  const { maxBytes = DEFAULT_PACKUMENT_CACHE_BYTES, maxAgeMs = DEFAULT_PACKUMENT_MAX_AGE_MS, now = Date.now } = options;
  const files: PackumentFiles = createPackumentFiles(options.dir);
  // Entries by id, least recently used first (a Map keeps insertion order), loaded once from disk.
  let index: Promise<Map<string, number>> | null = null;
  const loadIndex = () =>
    (index ??= files.list().then((entries) => new Map(entries.sort((a, b) => a.usedAt - b.usedAt).map((e) => [e.id, e.bytes]))));
  const isFresh = (meta: PackumentMeta) => now() - meta.validatedAt < Math.min(meta.maxAgeMs ?? maxAgeMs, maxAgeMs);

  async function used(id: string, bytes: number | null): Promise<void> {
    const entries = await loadIndex();
    const size = bytes ?? entries.get(id) ?? 0;
    entries.delete(id);
    entries.set(id, size);
    let total = [...entries.values()].reduce((a, b) => a + b, 0);
    for (const [old, oldBytes] of entries) {
      if (total <= maxBytes || old === id) break;
      entries.delete(old);
      total -= oldBytes;
      await files.remove(old);
    }
  }

  /** Keeps a full answer (unless it may not be kept, or is larger than the whole cache); its meta. */
  async function keep(id: string, answer: Extract<RegistryAnswer, { status: 200 }>, digest: string, previous: PackumentMeta | null): Promise<void> {
    const policy = policyOf(answer.headers);
    const meta: PackumentMeta = {
      digest,
      bytes: answer.body.byteLength,
      etag: answer.headers.etag,
      lastModified: answer.headers.lastModified,
      validatedAt: now(),
      maxAgeMs: policy.maxAgeMs,
    };
    if (!policy.keep || meta.bytes > maxBytes) {
      if (previous) await files.remove(id);
      return;
    }
    if (previous?.digest === digest) await files.writeMeta(id, meta);
    else await files.write(id, meta, answer.body);
    await used(id, meta.bytes);
  }

  const notModifiedUnasked = (request: PackumentRequest) =>
    new SpkError('REGISTRY_UNREACHABLE', `the registry answered 304 Not Modified to an unconditional request for ${request.url}`);

  /** The kept body of `meta`, or (damaged or evicted meanwhile) the whole document asked for again. */
  async function bodyOf(id: string, meta: PackumentMeta, request: PackumentRequest, fetch: PackumentFetch): Promise<{ body: Buffer; digest: string }> {
    const body = await files.readBody(id, meta);
    if (body !== null) return { body, digest: meta.digest };
    const answer = await fetch({});
    if (answer.status === 304) throw notModifiedUnasked(request);
    const digest = digestOf(answer.body);
    await keep(id, answer, digest, null);
    return { body: answer.body, digest };
  }

  return {
    async current(request, fetch, { revalidate = false } = {}) {
      const id = entryId(`${request.accept}\n${request.url}`);
      const meta = await files.readMeta(id);
      if (meta && !revalidate && isFresh(meta)) {
        await used(id, null);
        return { digest: meta.digest, via: 'fresh', document: () => bodyOf(id, meta, request, fetch) };
      }
      const answer = await fetch(conditionalHeaders(meta));
      if (answer.status === 304) {
        if (!meta) throw notModifiedUnasked(request);
        // A 304 updates what it carries (RFC 9111 §4.3.4); the body stays.
        const renewed: PackumentMeta = {
          ...meta,
          etag: answer.headers.etag ?? meta.etag,
          lastModified: answer.headers.lastModified ?? meta.lastModified,
          validatedAt: now(),
          maxAgeMs: answer.headers.cacheControl === null ? meta.maxAgeMs : policyOf(answer.headers).maxAgeMs,
        };
        await files.writeMeta(id, renewed);
        await used(id, null);
        return { digest: meta.digest, via: 'not-modified', document: () => bodyOf(id, renewed, request, fetch) };
      }
      const digest = digestOf(answer.body);
      await keep(id, answer, digest, meta);
      return { digest, via: meta?.digest === digest ? 'same' : 'fetched', document: async () => ({ body: answer.body, digest }) };
    },
  };
}
