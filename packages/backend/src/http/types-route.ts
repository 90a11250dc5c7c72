// `GET /types`, `GET /types/<lockfileHash>` and `GET /types/<lockfileHash>/<encoded name>`: the
// declaration files script editors load, as plain GETs so browsers and proxies can cache them. A
// closure (and an index whose sizes are all known) never changes for its hash, so it is served
// immutable under a strong ETag; `private` because the types of private packages are private too.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSpkError, lockfileHashSchema, packageNameSchema, SpkError, TYPES_PREFIX } from '@spk/common';
import { httpErrorFor } from '../router/error-mapping.ts';
import { ifNoneMatchHits } from './conditional-request.ts';
import { sendCodedError, type HttpRoute } from './http-route.ts';

/** What the route needs of the types service (see types/types-service.ts). */
export interface TypesRouteDeps {
  index(lockfileHash?: string): Promise<ServedBody>;
  closure(lockfileHash: string, name: string): Promise<ServedBody>;
}

interface ServedBody {
  body: string;
  /** Quoted strong entity-tag. */
  etag: string;
  /** False for an index with closure sizes still unknown: it may change, so it is revalidated. */
  complete: boolean;
}

export type TypesRequest = { kind: 'current-index' } | { kind: 'index'; lockfileHash: string } | { kind: 'closure'; lockfileHash: string; name: string };

const IMMUTABLE = 'private, max-age=31536000, immutable';
const REVALIDATE = 'private, no-cache';
const FORMS = `${TYPES_PREFIX}, ${TYPES_PREFIX}/<lockfileHash> or ${TYPES_PREFIX}/<lockfileHash>/<encodeURIComponent(package name)>`;

/** Shows a piece of the caller's path in a message: quoted, escaped, and short. */
function shown(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function invalid(message: string): SpkError {
  return new SpkError('INVALID_INPUT', message);
}

/**
 * `"x" is not a valid npm package name: <reasons>`, naming it once. The name check's sentences
 * already start with the quoted name: `"x" is not a valid npm package name: <reasons>`, or
 * `"x" is a git spec, not a package name; <advice for declaring packages>` (only its kind fits
 * here); the length checks do not name it.
 */
function nameProblem(name: string, issues: ReadonlyArray<{ message: string }>): string {
  const quoted = `"${name}" `;
  const verdict = `${quoted}is not a valid npm package name: `;
  const kind = `${quoted}is `;
  const reasons = issues.map(({ message }) => {
    if (message.startsWith(verdict)) return message.slice(verdict.length);
    if (message.startsWith(kind)) return `it reads as ${message.slice(kind.length).split(', not a package name')[0]!.split('; ')[0]}`;
    return message;
  });
  return `${shown(name)} is not a valid npm package name: ${reasons.join('; ')}`;
}

/**
 * What a request asks for, from its path below TYPES_PREFIX as sent (still percent-encoded), so an
 * encoded `..` or `/` in the name is seen as written. Throws INVALID_INPUT saying what to send.
 */
export function parseTypesRequest(subpath: string): TypesRequest {
  if (subpath === '') return { kind: 'current-index' };
  if (!subpath.startsWith('/')) throw invalid(`no types path ${shown(TYPES_PREFIX + subpath)}; ask for ${FORMS}`);
  const rest = subpath.slice(1);
  const slash = rest.indexOf('/');
  const hash = slash === -1 ? rest : rest.slice(0, slash);
  if (!lockfileHashSchema.safeParse(hash).success) {
    throw invalid(`the lockfile hash ${shown(hash)} is not a sha256 hex digest (64 characters 0-9a-f); use the lockfileHash install.state returns, in ${FORMS}`);
  }
  if (slash === -1) return { kind: 'index', lockfileHash: hash };
  const encoded = rest.slice(slash + 1);
  if (encoded === '') throw invalid(`a package name is missing after the lockfile hash; ask for ${TYPES_PREFIX}/<lockfileHash>/<encodeURIComponent(package name)>`);
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    throw invalid(`the package name ${shown(encoded)} is not valid percent-encoding; encode the name with encodeURIComponent (e.g. %40scope%2Fname for @scope/name)`);
  }
  const parsed = packageNameSchema.safeParse(name);
  if (!parsed.success) {
    throw invalid(`${nameProblem(name, parsed.error.issues)}; ask for an installed package by its name, encoded with encodeURIComponent (e.g. %40scope%2Fname for @scope/name)`);
  }
  return { kind: 'closure', lockfileHash: hash, name };
}

/** The path below the prefix as the client sent it; the server's decoded-and-normalized subpath when the raw one is not ours. */
function rawSubpath(req: IncomingMessage, normalized: string): string {
  const raw = (req.url ?? '').replace(/[?#].*$/s, '');
  if (raw === TYPES_PREFIX || raw.startsWith(`${TYPES_PREFIX}/`)) return raw.slice(TYPES_PREFIX.length);
  return normalized;
}

function send(req: IncomingMessage, res: ServerResponse, served: ServedBody, cacheControl: string): void {
  const headers = { etag: served.etag, 'cache-control': cacheControl };
  if (ifNoneMatchHits(req.headers['if-none-match'], served.etag.slice(1, -1))) {
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(served.body)) });
  res.end(served.body);
}

export function createTypesRoute(types: TypesRouteDeps): HttpRoute {
  return {
    method: 'GET',
    prefix: TYPES_PREFIX,
    permissions: ['read'],
    async handle(req, res, { subpath }) {
      try {
        const request = parseTypesRequest(rawSubpath(req, subpath));
        if (request.kind === 'current-index') return send(req, res, await types.index(), REVALIDATE);
        if (request.kind === 'index') {
          const served = await types.index(request.lockfileHash);
          return send(req, res, served, served.complete ? IMMUTABLE : REVALIDATE);
        }
        return send(req, res, await types.closure(request.lockfileHash, request.name), IMMUTABLE);
      } catch (error) {
        // Refusals (stale hash, not in the manifest, no tree yet, bad input) and the types service's
        // INTERNAL (a tree that lacks a listed package: logged there, answered with what to run) are
        // sent with their code and without cache headers, so nothing keeps them; other failures are
        // the server's to log, as a bare 500.
        if (!isSpkError(error) || (httpErrorFor(error.code).status >= 500 && error.code !== 'INTERNAL')) throw error;
        return sendCodedError(res, error);
      }
    },
  };
}
