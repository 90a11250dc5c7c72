// Credentials never travel inside URLs we show: registry URLs with `user:password@` are refused
// at the boundary, and anything that still carries one (a stored legacy setting, a library's
// error message) is passed through this before it reaches a response, a stored status or a log.

// The scheme, then the userinfo up to the last "@" before the host (a raw "@" may sit in a password).
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/** Replaces the `user:password@` part of every URL in `text` (a bare URL or a whole message) with `***@`. */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1***@');
}

/** Whether `url` carries a user name or password. */
export function hasUrlCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}
