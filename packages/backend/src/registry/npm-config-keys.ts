// The names npm's own configuration knows (npm 11's @npmcli/config definitions, plus a few that
// older npm versions read and .npmrc files still carry). An .npmrc import uses it only to word its
// warnings: a key npm knows but that does not concern registries ("save-exact") is reported as
// such, and anything else as an unknown key, with the registry key it is probably a typo of.
export const NPM_CONFIG_KEYS: ReadonlySet<string> = new Set([
  '_auth', 'access', 'all', 'allow-directory', 'allow-file', 'allow-git', 'allow-remote',
  'allow-same-version', 'allow-scripts', 'allow-scripts-pending', 'allow-scripts-pin', 'also', 'audit',
  'audit-level', 'auth-type', 'before', 'bin-links', 'browser', 'bypass-2fa', 'ca', 'cache', 'cache-max',
  'cache-min', 'cafile', 'call', 'cert', 'cidr', 'color', 'commit-hooks', 'cpu',
  'dangerously-allow-all-scripts', 'depth', 'description', 'dev', 'diff', 'diff-dst-prefix',
  'diff-ignore-all-space', 'diff-name-only', 'diff-no-prefix', 'diff-src-prefix', 'diff-text',
  'diff-unified', 'dry-run', 'editor', 'engine-strict', 'expect-result-count', 'expect-results', 'expires',
  'fetch-retries', 'fetch-retry-factor', 'fetch-retry-maxtimeout', 'fetch-retry-mintimeout', 'fetch-timeout',
  'force', 'foreground-scripts', 'format-package-lock', 'fund', 'git', 'git-tag-version', 'global',
  'global-style', 'globalconfig', 'heading', 'https-proxy', 'if-present', 'ignore-scripts', 'include',
  'include-attestations', 'include-staged', 'include-workspace-root', 'init-author-email',
  'init-author-name', 'init-author-url', 'init-license', 'init-module', 'init-private', 'init-type',
  'init-version', 'init.author.email', 'init.author.name', 'init.author.url', 'init.license', 'init.module',
  'init.version', 'install-links', 'install-strategy', 'json', 'key', 'legacy-bundling', 'legacy-peer-deps',
  'libc', 'link', 'local-address', 'location', 'lockfile-version', 'loglevel', 'logs-dir', 'logs-max',
  'long', 'maxsockets', 'message', 'min-release-age', 'min-release-age-exclude', 'name', 'node-gyp',
  'node-options', 'noproxy', 'offline', 'omit', 'omit-lockfile-registry-resolved', 'only', 'optional',
  'orgs', 'orgs-permission', 'os', 'otp', 'pack-destination', 'package', 'package-lock', 'package-lock-only',
  'packages', 'packages-all', 'packages-and-scopes-permission', 'parseable', 'password', 'prefer-dedupe',
  'prefer-offline', 'prefer-online', 'prefix', 'preid', 'production', 'progress', 'provenance',
  'provenance-file', 'proxy', 'read-only', 'rebuild-bundle', 'registry', 'replace-registry-host', 'save',
  'save-bundle', 'save-dev', 'save-exact', 'save-optional', 'save-peer', 'save-prefix', 'save-prod',
  'sbom-format', 'sbom-type', 'scope', 'scopes', 'script-shell', 'searchexclude', 'searchlimit',
  'searchopts', 'searchstaleness', 'shell', 'shrinkwrap', 'sign-git-commit', 'sign-git-tag',
  'strict-allow-scripts', 'strict-peer-deps', 'strict-ssl', 'tag', 'tag-version-prefix', 'timing',
  'token-description', 'umask', 'unicode', 'update-notifier', 'usage', 'user-agent', 'userconfig', 'version',
  'versions', 'viewer', 'which', 'workspace', 'workspaces', 'workspaces-update', 'yes',
  // Read by npm 8 and older; still found in .npmrc files.
  'email', 'group', 'sso-poll-frequency', 'sso-type', 'tmp', 'unsafe-perm', 'user',
]);
