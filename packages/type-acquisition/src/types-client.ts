// The three `GET /types...` requests of the type-acquisition protocol, each answer checked against
// the shared schemas. Every failure becomes an SpkError: the server's own code when it sent one
// (STALE_LOCKFILE_HASH on 409 is the one the caller acts on), otherwise one derived from the status.
import { z } from 'zod';
import {
  ERROR_CODES,
  SpkError,
  typeClosureSchema,
  typesClosurePath,
  typesIndexPath,
  typesIndexSchema,
  type ErrorCode,
  type TypeClosure,
  type TypesIndex,
} from '@spk/common';

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

export interface TypesClientOptions {
  /**
   * The core's base URL: `''` for the page's own origin, the usual case. The server sends no CORS
   * headers, so the page must come from the same origin as the core (served by it, or by a proxy
   * that forwards `/types` to it); a URL spelled out, e.g. `https://monitor.example`, must be that origin.
   */
  serverUrl: string;
  /** Sent as `Authorization: Bearer <token>`; without one no Authorization header is sent. */
  token?: string | undefined;
  /** Defaults to the global `fetch`. */
  fetch?: FetchFunction | undefined;
  /** Per request; a server that never answers must not hold an import's types forever. */
  timeoutMs?: number | undefined;
}

export interface TypesClient {
  /** `GET /types`: the index of the answering instance's current tree. */
  currentIndex(): Promise<TypesIndex>;
  /** `GET /types/<hash>`: STALE_LOCKFILE_HASH when that is no longer the current tree. */
  index(lockfileHash: string): Promise<TypesIndex>;
  /** `GET /types/<hash>/<name>`: one package's declaration closure. */
  closure(lockfileHash: string, name: string): Promise<TypeClosure>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** The two `RequestInit.cache` modes used; spelled out because Node's type library lacks the DOM's RequestCache. */
type CacheMode = 'no-cache' | 'default';
const errorBodySchema = z.object({ code: z.string(), message: z.string() });
const knownCodes: ReadonlySet<string> = new Set(ERROR_CODES);

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'STALE_LOCKFILE_HASH';
  if (status === 400) return 'INVALID_INPUT';
  return 'INTERNAL';
}

async function errorOfResponse(response: Response, url: string): Promise<SpkError> {
  const text = await response.text().catch(() => '');
  let body: z.infer<typeof errorBodySchema> | null = null;
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) body = parsed.data;
  } catch {
    // Not JSON (a proxy's error page): the status alone says what happened.
  }
  const code = body !== null && knownCodes.has(body.code) ? (body.code as ErrorCode) : codeForStatus(response.status);
  const said = body?.message ?? (response.statusText || 'no message');
  return new SpkError(code, `GET ${url} answered ${response.status}: ${said}`, { status: response.status, url });
}

export function createTypesClient(options: TypesClientOptions): TypesClient {
  const base = options.serverUrl.replace(/\/+$/, '');
  // Called through globalThis: a browser's fetch throws "Illegal invocation" when detached from window.
  const fetchFn: FetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token !== undefined && options.token !== '') headers.authorization = `Bearer ${options.token}`;

  async function getJson<T>(path: string, schema: z.ZodType<T>, cache: CacheMode): Promise<T> {
    const url = `${base}${path}`;
    // A variable, not a literal: Node's RequestInit type has no `cache`, browsers' has (and honour it).
    const init = { headers, cache, signal: AbortSignal.timeout(timeoutMs) };
    let response: Response;
    try {
      response = await fetchFn(url, init);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SpkError('INTERNAL', `GET ${url} failed before an answer (${reason}); check the server URL and that the server is up`, { url }, { cause: error });
    }
    if (!response.ok) throw await errorOfResponse(response, url);
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw new SpkError('INTERNAL', `GET ${url} answered ${response.status} with a body that is not JSON`, { url }, { cause: error });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new SpkError('INTERNAL', `GET ${url} answered with an unexpected shape: ${z.prettifyError(parsed.error)}; is the server the same version as this client?`, { url });
    }
    return parsed.data;
  }

  return {
    // The current tree changes with every install: always ask the server, never the HTTP cache.
    currentIndex: () => getJson(typesIndexPath(), typesIndexSchema, 'no-cache'),
    async index(lockfileHash) {
      const index = await getJson(typesIndexPath(lockfileHash), typesIndexSchema, 'default');
      if (index.lockfileHash !== lockfileHash) {
        throw new SpkError('INTERNAL', `GET ${typesIndexPath(lockfileHash)} answered the index of another tree (${index.lockfileHash})`);
      }
      return index;
    },
    async closure(lockfileHash, name) {
      const closure = await getJson(typesClosurePath(lockfileHash, name), typeClosureSchema, 'default');
      if (closure.name !== name) {
        throw new SpkError('INTERNAL', `GET ${typesClosurePath(lockfileHash, name)} answered the closure of another package (${closure.name})`);
      }
      return closure;
    },
  };
}
