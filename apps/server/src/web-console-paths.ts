// The pure half of serving the web console: which request paths are the console's, which asset
// names are acceptable, their content types, ETags and the page's security headers. The I/O half
// (web-console.ts) checks every accepted name against the real directory as well.
import { createHash } from 'node:crypto';
import path from 'node:path';

export const ASSETS_PREFIX = '/assets/';

/** The page's own files only; workers from blob: (Monaco) too; Monaco injects <style> elements. */
export const WEB_CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-cache',
  'content-security-policy': WEB_CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

// Every asset name carries a content hash (vite.config.ts): a name always means the same bytes.
export const ASSET_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'public, max-age=31536000, immutable',
  'x-content-type-options': 'nosniff',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

export type ConsoleRequest = { kind: 'page' } | { kind: 'asset'; name: string } | { kind: 'bad-asset'; reason: string };

/**
 * What a GET/HEAD asks of the console, judged on the raw request target (before URL parsing folds
 * `/assets/../x` into `/x`); null: not the console's (the API's, behind a token).
 */
export function consoleRequestOf(rawTarget: string): ConsoleRequest | null {
  const rawPath = rawTarget.split(/[?#]/, 1)[0]!;
  if (rawPath === '/' || rawPath === '/index.html') return { kind: 'page' };
  if (!rawPath.startsWith(ASSETS_PREFIX)) return null;
  let name: string;
  try {
    name = decodeURIComponent(rawPath.slice(ASSETS_PREFIX.length));
  } catch {
    return { kind: 'bad-asset', reason: 'it is not valid percent-encoding' };
  }
  // Control characters cover NUL; a leading dot covers `.`, `..` and hidden files.
  if (name === '' || name.startsWith('.') || /[/\\\u0000-\u001f\u007f]/.test(name)) {
    return { kind: 'bad-asset', reason: 'an asset name is one file name: no slashes, backslashes, control characters or leading dot' };
  }
  return { kind: 'asset', name };
}

/** A strong ETag of the bytes. */
export const etagOf = (bytes: Uint8Array): string => `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
