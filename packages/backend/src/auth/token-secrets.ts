// Making and naming bearer tokens. The database keeps only the sha256 of a token: enough to
// recognise it, useless to anyone who reads the table, since tokens are random or at least 16 chars.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_TOKEN_PREFIX = 'spk_';
/** Satellite tokens look different, so an operator (and a secret scanner) can tell them from API tokens. */
export const SATELLITE_TOKEN_PREFIX = 'spks_';

/** 32 random bytes: far beyond guessing, so a plain (unsalted) sha256 is a safe way to store it. */
export function generateToken(prefix: string = API_TOKEN_PREFIX): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two sha256 hex digests without leaking, through timing, where they first differ. */
export function sameTokenHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
