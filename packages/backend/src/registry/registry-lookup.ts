// Reads the registry outside an install: one package's versions and dist-tags, and a name search
// for "did you mean". Every request is built from the installer's registryOptions (URL, scoped
// registries, token, origin-bound agent), so a lookup and an install never disagree on where to ask.
import npmFetch from 'npm-registry-fetch';
import { z } from 'zod';
import { redactUrlCredentials } from '@spk/common';
import { registryOptions } from '../install/registry-options.ts';
import type { Logger } from '../services.ts';
import type { RegistryCredentials } from '../stores/settings-store.ts';
import type { AvailableVersions } from './available-versions.ts';
import { isTimeout, timeoutText, UNREACHABLE_CODES, type NpmError } from './npm-errors.ts';

/** A lookup answers while an operator waits: it gets at most this long, even when installs get longer. */
const LOOKUP_TIMEOUT_MS = 10_000;
const SEARCH_SIZE = 20;
// The abbreviated packument npm itself installs from: versions and dist-tags, without readmes.
const CORGI_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

const packumentSchema = z.object({
  versions: z.record(z.string(), z.unknown()).default({}),
  'dist-tags': z.record(z.string(), z.string()).default({}),
});
const searchSchema = z.object({ objects: z.array(z.object({ package: z.object({ name: z.string() }) })) });

export type PackageLookup =
  | ({ status: 'found' } & AvailableVersions)
  | { status: 'missing' }
  /** The registry could not say: unreachable, too slow, refused access or answered nonsense. */
  | { status: 'unknown'; reason: string };

export interface RegistryReader {
  /** The registry URL, credentials redacted: safe for messages. */
  readonly url: string;
  lookup(name: string): Promise<PackageLookup>;
  /** Names the registry's search returns for `text`; [] when the search fails (it only feeds suggestions). */
  search(text: string): Promise<string[]>;
}

function whyUnknown(error: NpmError, timeout: unknown): string {
  if (isTimeout(error)) return `it did not answer${timeoutText(timeout)}`;
  if (error.code && UNREACHABLE_CODES.has(error.code)) return `it could not be reached (${error.code})`;
  if (error.code === 'E401' || error.code === 'E403') return `it refused access (${error.code}); a private package needs a token (spk registry set --token-stdin)`;
  if (typeof error.statusCode === 'number') return `it answered HTTP ${error.statusCode}`;
  return `the request failed (${error.code ?? 'unknown error'})`;
}

function packagePath(name: string): string {
  return `/${name.replace('/', '%2f')}`;
}

/** A reader bound to one snapshot of the registry settings, so one declaration asks one registry. */
export function createRegistryReader(credentials: RegistryCredentials, logger: Logger): RegistryReader {
  const options = registryOptions({ ...credentials, timeoutMs: Math.min(credentials.timeoutMs, LOOKUP_TIMEOUT_MS) }) as npmFetch.Options;
  const url = redactUrlCredentials(String(options.registry));

  return {
    url,

    async lookup(name) {
      let body: unknown;
      try {
        body = await npmFetch.json(packagePath(name), { ...options, spec: name, headers: { accept: CORGI_ACCEPT } });
      } catch (error) {
        if ((error as NpmError).code === 'E404') return { status: 'missing' };
        return { status: 'unknown', reason: whyUnknown(error as NpmError, options.timeout) };
      }
      const parsed = packumentSchema.safeParse(body);
      if (!parsed.success) return { status: 'unknown', reason: 'its answer is not a package document' };
      return { status: 'found', versions: Object.keys(parsed.data.versions), distTags: parsed.data['dist-tags'] };
    },

    async search(text) {
      try {
        const body = await npmFetch.json('/-/v1/search', { ...options, query: { text, size: SEARCH_SIZE } });
        return searchSchema.parse(body).objects.map((o) => o.package.name);
      } catch (error) {
        const e = error as NpmError;
        logger.warn({ code: e.code ?? (error instanceof z.ZodError ? 'INVALID_SEARCH_ANSWER' : 'UNKNOWN') }, 'registry search for name suggestions failed');
        return [];
      }
    },
  };
}
