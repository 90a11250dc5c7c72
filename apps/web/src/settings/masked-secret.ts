// How a registry secret appears on the page. The API sends only its masked form ("set, ends in
// …abcd", or "set" when too short to show any of it); anything else is shown as plain "set", so a
// server that ever sent a secret in the clear would still not put it on screen.
const MASKED = /^set(?:, ends in …[^\s…]{1,8})?$/;

export const NOT_SET = 'not set';

export function describeSecret(masked: string | null | undefined): string {
  if (masked === null || masked === undefined || masked === '') return NOT_SET;
  return MASKED.test(masked) ? masked : 'set';
}
