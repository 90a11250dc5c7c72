// The fields npm's libraries (npm-registry-fetch, pacote, npm-pick-manifest) put on the errors
// they throw, and how we tell "the registry could not be asked" from "the registry said no".

export interface NpmError {
  code?: string;
  type?: string;
  message?: string;
  pkgid?: string;
  statusCode?: number;
  /** ETARGET (npm-pick-manifest): the package, the spec asked for, and what the packument offers. */
  name?: string;
  wanted?: string;
  versions?: unknown;
  distTags?: unknown;
}

// What a cut-off request looks like, depending on where npm's stack noticed: minipass-fetch's own
// request/body timers, @npmcli/agent's socket timers, or the OS.
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ERR_SOCKET_TIMEOUT', 'EIDLETIMEOUT', 'ECONNECTIONTIMEOUT', 'ERESPONSETIMEOUT', 'ETRANSFERTIMEOUT']);
const TIMEOUT_TYPES = new Set(['request-timeout', 'body-timeout']);
export const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function isTimeout(e: NpmError): boolean {
  return Boolean((e.code && TIMEOUT_CODES.has(e.code)) || (e.type && TIMEOUT_TYPES.has(e.type)));
}

/** "within 10 s", from npm's `timeout` option in ms; empty when it is not set. */
export function timeoutText(timeout: unknown): string {
  return typeof timeout === 'number' ? ` within ${timeout / 1000} s` : '';
}
