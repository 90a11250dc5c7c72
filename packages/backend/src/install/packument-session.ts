// One install's view of the registry's package documents, handed to Arborist and the types step as
// pacote's `packumentCache`: each document is looked up once per install, through the persistent
// packument cache (used while fresh, else revalidated), parsed once and shared by every Arborist
// pass. It remembers which documents the resolve read and their digests, which is what lets the
// next install with the same inputs skip the resolve when none of them changed (resolution-memo.ts).
import npa from 'npm-package-arg';
import type { Packument } from 'pacote';
import npmFetch from 'npm-registry-fetch';
import { limitConcurrency } from '@spk/reconciler';
import type { NpmError } from '../registry/npm-errors.ts';
import { answerHeaders, type CurrentPackument, type PackumentCache, type PackumentFetch } from '../packument-cache/packument-cache.ts';

// pacote's keys: `full:<registry>/<escaped name>` or `corgi:…`, by the document kind it asks for.
const PACOTE_KEY = /^(full|corgi):(https?:\/\/.+)$/;
const ACCEPT = {
  full: 'application/json',
  corgi: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*',
} as const;

/** A document the resolve read: its digest, or null when the registry has no such package (404). */
export interface PackumentRead {
  key: string;
  digest: string | null;
}

export interface PackumentSession {
  /** For Arborist and pacote; `get` answers a promise, which pacote awaits ("might be an in-flight promise"). */
  readonly packumentCache: Map<string, Packument>;
  /** Starts looking these documents up now (the previous resolve read them) so Arborist finds them ready. */
  prefetch(keys: readonly string[]): void;
  /** The digest of the document as the cache has it now (fresh or revalidated), or null for a 404; throws any other failure. */
  currentDigest(key: string): Promise<string | null>;
  /** Every document the resolve read; null when a request failed otherwise than with a 404. */
  reads(): PackumentRead[] | null;
  /** How the documents asked for were answered: fresh from disk, 304s, full answers equal to the kept body, new ones. */
  counts(): Record<CurrentPackument['via'], number>;
  /**
   * Forgets every document this session has seen and asks the registry for each from now on, fresh
   * or not: for a resolve that found a fresh document unable to satisfy a range.
   */
  refresh(): void;
}

const isNotFound = (error: unknown) => (error as NpmError | null)?.code === 'E404';

/** pacote's key of a package's full document on the registry `npmOptions` pick for it. */
export function fullDocumentKey(name: string, npmOptions: Record<string, unknown>): string {
  const registry = npmFetch.pickRegistry(name, npmOptions as npmFetch.Options).replace(/\/+$/, '');
  return `full:${registry}/${npa(name).escapedName}`;
}

/** The dependencies of a document's `latest` version: the documents Arborist most likely asks for next. */
function likelyNext(packument: Packument): string[] {
  const latest = packument['dist-tags']?.latest;
  const manifest = latest === undefined ? undefined : packument.versions?.[latest];
  if (!manifest) return [];
  const { dependencies, optionalDependencies, peerDependencies } = manifest as Record<string, Record<string, string> | undefined>;
  return [...new Set([dependencies, optionalDependencies, peerDependencies].flatMap((deps) => Object.keys(deps ?? {})))];
}

/** Requests in flight at once: what npm's agent keeps open to one registry anyway (its maxSockets is 15). */
export const PACKUMENT_REQUESTS_IN_FLIGHT = 16;

/** The request of one document with the install's npm options (registry, credentials, agent, timeout, abort signal). */
function registryFetch(url: string, accept: string, npmOptions: Record<string, unknown>): PackumentFetch {
  // The package, for npm's error (its pkgid names it); the key's last segment is its escaped name.
  const name = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
  return async (conditional) => {
    const response = await npmFetch(url, {
      ...npmOptions,
      // The persistent cache is ours: npm's own HTTP cache would keep a second copy of every document.
      cache: undefined,
      headers: { accept, ...conditional },
      spec: name,
      integrity: null,
    } as unknown as npmFetch.Options);
    if (response.status === 304) {
      response.body.resume();
      return { status: 304, headers: answerHeaders(response.headers) };
    }
    return { status: 200, body: await response.buffer(), headers: answerHeaders(response.headers) };
  };
}

export function createPackumentSession(cache: PackumentCache, npmOptions: Record<string, unknown>): PackumentSession {
  const current = new Map<string, Promise<CurrentPackument>>();
  const parsed = new Map<string, Promise<Packument>>();
  const read = new Map<string, string | null>();
  const counts: Record<CurrentPackument['via'], number> = { fresh: 0, 'not-modified': 0, same: 0, fetched: 0 };
  let failed = false;
  let revalidateAll = false;
  // Raised by refresh: what a lookup started before it settles into the reads no more.
  let generation = 0;
  const limited = limitConcurrency(PACKUMENT_REQUESTS_IN_FLIGHT);

  function lookUp(key: string): Promise<CurrentPackument> {
    let pending = current.get(key);
    if (!pending) {
      const [, kind, url] = PACOTE_KEY.exec(key)!;
      const accept = ACCEPT[kind as keyof typeof ACCEPT];
      const options = { revalidate: revalidateAll };
      pending = limited(() => cache.current({ url: url!, accept }, registryFetch(url!, accept, npmOptions), options));
      pending.then((answer) => void counts[answer.via]++).catch(() => undefined);
      current.set(key, pending);
    }
    return pending;
  }

  function get(key: string): Promise<Packument> {
    let pending = parsed.get(key);
    if (!pending) {
      const mine = generation;
      pending = lookUp(key).then(async (answer) => {
        const { body, digest } = await answer.document();
        const packument = JSON.parse(body.toString('utf8')) as Packument;
        if (mine === generation) read.set(key, digest);
        // Arborist asks for one document at a time (on two cores, its own prefetch runs one): asking
        // for the likely next ones now turns a chain of round trips into a few waves.
        prefetch(likelyNext(packument).flatMap((name) => keyOf(name)));
        return packument;
      });
      pending.catch((error: unknown) => {
        if (mine !== generation) return;
        if (isNotFound(error)) read.set(key, null);
        else failed = true;
      });
      parsed.set(key, pending);
    }
    return pending;
  }

  // Documents of registries no longer configured (a record from before a settings change) are not
  // asked for ahead: such requests could only fail or wait, holding slots the resolve needs.
  const registries = Object.entries(npmOptions)
    .filter(([option, value]) => (option === 'registry' || option.endsWith(':registry')) && typeof value === 'string')
    .map(([, value]) => (value as string).replace(/\/*$/, '/'));
  const configured = (key: string) => registries.some((registry) => PACOTE_KEY.exec(key)?.[2]?.startsWith(registry));

  function prefetch(keys: readonly string[]): void {
    for (const key of keys) {
      if (!configured(key) || current.has(key)) continue;
      // A failed prefetch is forgotten: whoever needs the document asks again and sees the failure.
      const pending = lookUp(key);
      pending.catch(() => current.get(key) === pending && current.delete(key));
    }
  }

  /** The key of `name`'s full document; none for a name npm would refuse anyway. */
  function keyOf(name: string): string[] {
    try {
      return [fullDocumentKey(name, npmOptions)];
    } catch {
      return [];
    }
  }

  // Only what pacote calls: it asks `has` before anything, then awaits `get`.
  const packumentCache = {
    has: (key: string) => PACOTE_KEY.test(key),
    get,
    set: (key: string, value: Packument) => void parsed.set(key, Promise.resolve(value)),
    delete: (key: string) => parsed.delete(key),
  } as unknown as Map<string, Packument>;

  return {
    packumentCache,
    prefetch,
    async currentDigest(key) {
      try {
        return (await lookUp(key)).digest;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    reads: () => (failed ? null : [...read].map(([key, digest]) => ({ key, digest }))),
    counts: () => ({ ...counts }),
    refresh() {
      generation++;
      revalidateAll = true;
      current.clear();
      parsed.clear();
      read.clear();
      failed = false;
    },
  };
}
