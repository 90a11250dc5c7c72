// Turns the stored registry settings into the flat options npm's libraries read. The token stays
// in memory: nothing holding it is ever written to disk.
import type { RegistryCredentials } from '../stores/settings-store.ts';

/** npm's "nerf dart": the registry URL without protocol, the key auth options hang off. */
export function nerfDart(url: string): string {
  const u = new URL(url);
  const pathname = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  return `//${u.host}${pathname}`;
}

export function registryOptions(creds: RegistryCredentials): Record<string, unknown> {
  const registry = creds.url.endsWith('/') ? creds.url : `${creds.url}/`;
  const options: Record<string, unknown> = { registry };
  if (creds.token) options[`${nerfDart(registry)}:_authToken`] = creds.token;
  return options;
}
