// The fields npm's libraries (npm-registry-fetch, pacote, npm-pick-manifest, minipass-fetch,
// @npmcli/agent) put on the errors they throw, and how we tell "the registry could not be asked"
// from "the registry said no". Their messages are never read here: npm-registry-fetch puts the
// registry's error body in them, and a registry may echo a request's headers there.

export interface NpmError {
  code?: string;
  type?: string;
  message?: string;
  /** "FetchError" (minipass-fetch) for a request that got no answer; the package's name on an ETARGET (npm-pick-manifest). */
  name?: string;
  pkgid?: string;
  statusCode?: number;
  /** The URL asked (npm-registry-fetch's HTTP errors). */
  uri?: unknown;
  /** ETARGET (npm-pick-manifest): the package, the spec asked for, and what the packument offers. */
  wanted?: string;
  versions?: unknown;
  distTags?: unknown;
}

// What a cut-off request looks like, depending on where npm's stack noticed: minipass-fetch's own
// request/body timers, @npmcli/agent's socket timers, or the OS.
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ERR_SOCKET_TIMEOUT', 'EIDLETIMEOUT', 'ECONNECTIONTIMEOUT', 'ERESPONSETIMEOUT', 'ETRANSFERTIMEOUT']);
const TIMEOUT_TYPES = new Set(['request-timeout', 'body-timeout']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
// OpenSSL's and Node's names for a certificate that does not verify.
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|^ERR_TLS_|^ERR_SSL_|^EPROTO$/;
// @npmcli/agent's own refusals (a proxy URL it cannot use, a proxy answering nonsense).
const AGENT_CODES = new Set(['EINVALIDPROXY', 'EINVALIDRESPONSE']);

/** How a registry request failed, as far as the error says; null when it is no request failure. */
export type RequestFailure =
  | { kind: 'timeout' }
  | { kind: 'unreachable'; code: string }
  | { kind: 'tls'; code: string }
  /** 401/403, or npm-registry-fetch's EOTP (a one-time password asked) / EAUTHIP (an address refused). */
  | { kind: 'auth'; status: number; code: string }
  | { kind: 'status'; status: number }
  | { kind: 'failed'; code: string };

function httpStatus(e: NpmError): number | null {
  if (typeof e.statusCode === 'number') return e.statusCode;
  const match = /^E(\d{3})$/.exec(e.code ?? '');
  return match ? Number(match[1]) : null;
}

/**
 * What kind of request failure `error` is. `anyCoded`: every coded error counts as one (true for a
 * caller that only ever made a request); without it, only errors of the request stack do, so an
 * Arborist error with a code of its own is left to the caller.
 */
export function requestFailure(error: unknown, opts: { timedOut?: boolean; anyCoded?: boolean } = {}): RequestFailure | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as NpmError;
  const code = typeof e.code === 'string' && e.code !== '' ? e.code : undefined;
  if (opts.timedOut || (code && TIMEOUT_CODES.has(code)) || (e.type && TIMEOUT_TYPES.has(e.type))) return { kind: 'timeout' };
  const status = httpStatus(e);
  if (code === 'EOTP' || code === 'EAUTHIP' || status === 401 || status === 403) return { kind: 'auth', status: status ?? 401, code: code ?? `E${status}` };
  if (status !== null) return { kind: 'status', status };
  if (code && UNREACHABLE_CODES.has(code)) return { kind: 'unreachable', code };
  if (code && TLS_CODE.test(code)) return { kind: 'tls', code };
  const fromRequestStack = e.name === 'FetchError' || e.type === 'system' || (code !== undefined && AGENT_CODES.has(code));
  if (fromRequestStack || (opts.anyCoded && (code || e.type))) return { kind: 'failed', code: code ?? e.type! };
  return null;
}

/** "within 10 s", from a timeout in ms. */
export function timeoutText(timeoutMs: number): string {
  return ` within ${timeoutMs / 1000} s`;
}
