// Blobs are named by their sha512 digest in hex wherever the integrity itself cannot be used
// (file names, URL segments). One mapping, shared by every store, cache and route. WebCrypto-era
// globals (atob/btoa) keep it usable in browsers too.
import { SpkError } from './errors.ts';

export const SHA512_SRI = /^sha512-[A-Za-z0-9+/]{86}==$/;
export const SHA512_HEX = /^[a-f0-9]{128}$/;

export function integrityToHex(integrity: string): string {
  if (!SHA512_SRI.test(integrity)) {
    throw new SpkError('INVALID_INPUT', `"${integrity}" is not a sha512 integrity ("sha512-" followed by 88 base64 characters)`);
  }
  return Array.from(atob(integrity.slice('sha512-'.length)), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

export function hexToIntegrity(hex: string): string {
  if (!SHA512_HEX.test(hex)) throw new SpkError('INVALID_INPUT', `"${hex}" is not a sha512 hex digest (128 hex characters)`);
  const bytes = hex.match(/../g)!.map((pair) => String.fromCharCode(parseInt(pair, 16)));
  return `sha512-${btoa(bytes.join(''))}`;
}
