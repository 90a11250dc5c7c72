// Creates a registry user the way `npm adduser` does (CouchDB-style PUT) and returns the token the
// registry issues for it, for tests that need authenticated access.

export async function addRegistryUser(registryUrl: string, name: string, password: string): Promise<string> {
  const response = await fetch(`${registryUrl}/-/user/org.couchdb.user:${encodeURIComponent(name)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password, type: 'user', roles: [], date: new Date().toISOString() }),
  });
  // The body never echoes the password, but it does carry the token: only its absence is reported.
  const body = (await response.json().catch(() => ({}))) as { token?: unknown; error?: unknown };
  if (!response.ok) throw new Error(`adding registry user ${name} failed: HTTP ${response.status} ${String(body.error ?? '')}`);
  if (typeof body.token !== 'string') throw new Error(`registry answered adding user ${name} without a token`);
  return body.token;
}
