// The Verdaccio configuration for the test registry, as a pure function of where it may write.
// Everything that keeps tests hermetic lives here: no uplinks (unknown names are a 404 and nothing
// reaches the internet), no audit middleware, no web UI, and one scope that needs a login. Tests
// of scoped registries add scopes that only one named user may read or publish.

export const PRIVATE_SCOPE = '@spk-private';

export type RegistryLogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'http' | 'debug' | 'trace';

/** `@scope` → the one registry user allowed to read and publish `@scope/*`. */
export type PrivateScopes = Readonly<Record<string, string>>;

export interface VerdaccioConfigInput {
  storageDir: string;
  htpasswdFile: string;
  logLevel: RegistryLogLevel;
  privateScopes?: PrivateScopes;
}

// The same rules npm applies to a scope and Verdaccio's htpasswd to a user name: anything else
// would be a config typo that silently makes a scope public.
const SCOPE = /^@[a-z0-9][a-z0-9._~-]*$/;
const USER = /^[a-z0-9][a-z0-9._-]*$/;
// Verdaccio's own group names: access by one of these is not access by one user.
const RESERVED_USERS = new Set(['all', 'anonymous', 'authenticated', 'undefined']);

/** Package rules restricting each scope to its user, in the order Verdaccio must see them. */
export function privateScopeRules(privateScopes: PrivateScopes = {}): Record<string, { access: string; publish: string; unpublish: string }> {
  const rules: Record<string, { access: string; publish: string; unpublish: string }> = {};
  for (const [scope, user] of Object.entries(privateScopes)) {
    if (!SCOPE.test(scope)) throw new Error(`private scope "${scope}" must be written "@name" (lower case)`);
    if (scope === PRIVATE_SCOPE) throw new Error(`${PRIVATE_SCOPE} is the fixture registry's own private scope; give your test a scope of its own`);
    if (!USER.test(user) || RESERVED_USERS.has(user)) {
      throw new Error(`private scope ${scope}: "${user}" is not a usable registry user name (lower case letters, digits, ".", "_", "-"; not a Verdaccio group)`);
    }
    // Verdaccio's htpasswd plugin gives every user a group named after itself: access by user name.
    rules[`${scope}/*`] = { access: user, publish: user, unpublish: user };
  }
  return rules;
}

export function buildVerdaccioConfig({ storageDir, htpasswdFile, logLevel, privateScopes }: VerdaccioConfigInput): Record<string, unknown> {
  return {
    storage: storageDir,
    // Test passwords guard nothing: minimal bcrypt cost keeps adding users fast.
    auth: { htpasswd: { file: htpasswdFile, max_users: 10_000, rounds: 4 } },
    // JWT API tokens are checked by signature alone; the default legacy tokens re-verify the
    // password hash on every authenticated request.
    security: { api: { jwt: { sign: { expiresIn: '7d' } } } },
    uplinks: {},
    // First match wins, so the private scopes must come before the catch-all.
    packages: {
      ...privateScopeRules(privateScopes),
      [`${PRIVATE_SCOPE}/*`]: { access: '$authenticated', publish: '$authenticated', unpublish: '$authenticated' },
      '**': { access: '$all', publish: '$all', unpublish: '$all' },
    },
    // Size-cap tests publish deliberately large packages.
    max_body_size: '200mb',
    web: { enable: false },
    log: { type: 'stdout', format: 'json', level: logLevel },
    // The default (1000 per 15 min on user endpoints) is reachable by a suite creating users per test.
    userRateLimit: { windowMs: 60_000, max: 1_000_000 },
    server: { keepAliveTimeout: 60 },
  };
}
