// The Verdaccio configuration for the test registry, as a pure function of where it may write.
// Everything that keeps tests hermetic lives here: no uplinks (unknown names are a 404 and nothing
// reaches the internet), no audit middleware, no web UI, and one scope that needs a login.

export const PRIVATE_SCOPE = '@spk-private';

export type RegistryLogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'http' | 'debug' | 'trace';

export interface VerdaccioConfigInput {
  storageDir: string;
  htpasswdFile: string;
  logLevel: RegistryLogLevel;
}

export function buildVerdaccioConfig({ storageDir, htpasswdFile, logLevel }: VerdaccioConfigInput): Record<string, unknown> {
  return {
    storage: storageDir,
    // Test passwords guard nothing: minimal bcrypt cost keeps adding users fast.
    auth: { htpasswd: { file: htpasswdFile, max_users: 10_000, rounds: 4 } },
    // JWT API tokens are checked by signature alone; the default legacy tokens re-verify the
    // password hash on every authenticated request.
    security: { api: { jwt: { sign: { expiresIn: '7d' } } } },
    uplinks: {},
    // First match wins, so the private scope must come before the catch-all.
    packages: {
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
