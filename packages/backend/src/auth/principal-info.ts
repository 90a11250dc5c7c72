// tokens.whoami: who the caller is, as a client deciding what to offer needs it. Principals of API
// tokens are "token:<name>" (the bootstrap admin token is named "admin", SPK_ADMIN_TOKEN's "env");
// another authenticator's principal is shown by its id.
import { SATELLITE_PERMISSIONS, type Principal, type PrincipalInfo } from '@spk/common';

const TOKEN_PREFIX = 'token:';

export function principalInfo(principal: Principal): PrincipalInfo {
  const name = principal.id.startsWith(TOKEN_PREFIX) ? principal.id.slice(TOKEN_PREFIX.length) : principal.id;
  // 'satellite' is a satellite identity's alone; an API caller is never shown it.
  const permissions = principal.permissions.filter((p) => !SATELLITE_PERMISSIONS.includes(p));
  return { name, permissions, readOnly: !permissions.includes('manage') };
}
