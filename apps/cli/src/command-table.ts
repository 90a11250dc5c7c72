// Every command and option `spk` knows, declared once: args.ts parses with this table and help.ts
// renders it, so the help cannot drift from what is accepted. A new command is one entry in
// COMMANDS (plus its variant of `Command` in args.ts and a case in main.ts's dispatch).
import { DEFAULT_DATA_DIR, DEFAULT_HISTORY_KEEP, DEFAULT_RUN_TIMEOUT_MS, lockfileHashRefSchema, DEFAULT_SERVER_HOST, DEFAULT_SERVER_PORT, RUN_SETTING_ENV, MAX_RUN_CONVERGENCE_WAIT_MS, MAX_RUN_TIMEOUT_MS } from '@spk/common';
import type { Command } from './args.ts';
import { parseSize } from './sizes.ts';
import { secondsOption } from './durations.ts';
import { UsageError } from './usage-error.ts';

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder for the value in help: `<url>`. */
  value?: string;
}

/** Every option any command takes; which command takes which is said in COMMANDS. */
export const OPTIONS = {
  server: { type: 'string', value: '<url>' },
  token: { type: 'string', value: '<token>' },
  'data-dir': { type: 'string', value: '<dir>' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  disabled: { type: 'boolean' },
  wait: { type: 'boolean' },
  'token-stdin': { type: 'boolean' },
  'clear-token': { type: 'boolean' },
  timeout: { type: 'string', value: '<ms>' },
  'wait-converged': { type: 'string', value: '<seconds>' },
  repair: { type: 'boolean' },
  'warn-total': { type: 'string', value: '<size>' },
  'block-total': { type: 'string', value: '<size>' },
  'max-package': { type: 'string', value: '<size>' },
  'read-only': { type: 'boolean' },
  'delete-source': { type: 'boolean' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/** What parseArgs hands back: strings for string options, true for flags. */
export type RawValues = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean };

export interface OptionHelp {
  name: OptionName;
  help: string;
  /** The environment variable read when the flag is absent. */
  env?: string;
  /** Placeholder for the value when this command's differs from OPTIONS' (`--timeout <seconds>`). */
  value?: string;
}

/** Options every command takes, with the setting each falls back to. */
export const GLOBAL_OPTIONS: readonly OptionHelp[] = [
  {
    name: 'server',
    env: 'SPK_SERVER',
    help: `the spk server to talk to; without it and SPK_SERVER: http://$HOST:$PORT (default http://${DEFAULT_SERVER_HOST}:${DEFAULT_SERVER_PORT}), as the server itself defaults`,
  },
  {
    name: 'token',
    env: 'SPK_TOKEN',
    help: 'the admin token; without it and SPK_TOKEN: the file <data dir>/admin-token. Prefer SPK_TOKEN: argv is visible to other users',
  },
  {
    name: 'data-dir',
    env: 'SPK_DATA_DIR',
    help: `the server's data directory, where the CLI reads admin-token when no token is given (default ${DEFAULT_DATA_DIR}, as the server)`,
  },
  { name: 'json', help: 'print the raw result as JSON on stdout, and errors as {"error":{...}} on stderr' },
  { name: 'help', help: 'show help: for the CLI, a group (spk packages --help) or one command' },
  { name: 'version', help: 'print the version of spk and exit' },
];

export interface CommandSpec {
  /** The words that name it: `['packages', 'add']`. */
  words: readonly string[];
  /** Positional arguments after the words, all required. */
  args: readonly string[];
  /** Usage line when the generated one says too little. */
  usage?: string;
  summary: string;
  /** Paragraph lines shown by `spk <command> --help`. */
  details?: readonly string[];
  options: readonly OptionHelp[];
  examples: readonly string[];
  build(args: readonly string[], values: RawValues): Command;
}

function positiveMs(value: string | undefined, flag: string, topic: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`${flag} takes a positive whole number of milliseconds, got "${value}"`, topic);
  }
  return Number(value);
}

function size(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const bytes = parseSize(value);
  if (bytes === null) {
    throw new UsageError(`${flag} takes a size such as 150MiB, 1.5GiB, 500MB or a number of bytes, got "${value}"`, 'caps set');
  }
  return bytes;
}

/** `--timeout <seconds>` of a `--wait`: refused without --wait, in ms otherwise. */
function waitTimeout(values: RawValues, topic: string): number | undefined {
  if (values.timeout !== undefined && values.wait !== true) throw new UsageError('--timeout applies to --wait; add --wait', topic);
  return secondsOption(values.timeout, '--timeout', topic);
}

/** A full lockfile hash or a unique prefix, as `spk history` prints them; the server resolves prefixes. */
function hashRef(value: string, topic: string): string {
  const hash = value.toLowerCase();
  if (!lockfileHashRefSchema.safeParse(hash).success) {
    throw new UsageError(`"spk ${topic}" takes a lockfile hash or a unique prefix of at least 7 hex digits (as \`spk history\` prints them), got "${value}"`, topic);
  }
  return hash;
}

const REGISTRY_TOKEN_HINT =
  'the registry token is read from stdin only, so it stays out of the process list and shell history: ' +
  'printf %s "$NPM_TOKEN" | spk registry set <url> --token-stdin';

/** One line on each command group, for `spk <group> --help`. */
export const GROUP_SUMMARIES: Readonly<Record<string, string>> = {
  packages: 'the declared package set: what every host should be able to import',
  registry: 'the npm registries the installer and the registry client use: default, scopes, auth (encrypted at rest), TLS, proxies',
  caps: 'the size caps every install is checked against',
  tokens: 'named API tokens (admin or read-only), shared by every server of the cluster',
  storage: 'the blob store installs publish package tarballs to, and moving every blob to another store',
  satellites: 'satellite identities: remote hosts that run spk-agent with a token of their own',
  history: 'the desired states committed so far, newest first, and which of them are pinned',
  gc: 'collecting what installs leave behind: blobs cluster-wide, trees on every host',
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    words: ['packages', 'list'],
    args: [],
    summary: 'list the declared packages, the version installed of each and whether this server runs it',
    details: [
      'RESOLVED is the version at the top level of the desired tree (the last successful install); "-"',
      'until an install includes the package. INSTALLED says whether the server that answered runs that',
      'tree with the package in it: each server converges on its own shortly after an install.',
    ],
    options: [],
    examples: ['spk packages list', 'spk packages list --json'],
    build: () => ({ kind: 'packages.list' }),
  },
  {
    words: ['packages', 'add'],
    args: ['spec'],
    summary: 'declare a package: zod, zod@^3.23, @scope/x@latest (registry specs only)',
    details: ['A bare name means the range "latest". Run `spk install` afterwards to install it.'],
    options: [{ name: 'disabled', help: 'declare it but leave it out of installs until `spk packages enable`' }],
    examples: ['spk packages add zod@^3.23', 'spk packages add @types/node@^20 --disabled'],
    build: ([spec = ''], values) => ({ kind: 'packages.add', spec, disabled: values.disabled === true }),
  },
  {
    words: ['packages', 'set'],
    args: ['name@range'],
    usage: 'spk packages set <name>@<range>',
    summary: 'change the range of a declared package',
    options: [],
    examples: ['spk packages set zod@^3.24'],
    build: ([spec = '']) => ({ kind: 'packages.set', spec }),
  },
  {
    words: ['packages', 'enable'],
    args: ['name'],
    summary: 'include a declared package in installs',
    options: [],
    examples: ['spk packages enable zod'],
    build: ([name = '']) => ({ kind: 'packages.enable', name }),
  },
  {
    words: ['packages', 'disable'],
    args: ['name'],
    summary: 'keep a package declared but leave it out of installs',
    options: [],
    examples: ['spk packages disable zod'],
    build: ([name = '']) => ({ kind: 'packages.disable', name }),
  },
  {
    words: ['packages', 'remove'],
    args: ['name'],
    summary: 'remove a declared package',
    options: [],
    examples: ['spk packages remove left-pad'],
    build: ([name = '']) => ({ kind: 'packages.remove', name }),
  },
  {
    words: ['packages', 'scripts'],
    args: [],
    summary: 'the packages of the desired tree that have install scripts, whether hosts run them, and the names allowed to',
    details: [
      'Lifecycle scripts (preinstall, install, postinstall) are off for every package until allowed by name.',
      'SCRIPTS RUN is what hosts do with the desired tree; a change of the policy shows there until the',
      'next install applies it.',
    ],
    options: [],
    examples: ['spk packages scripts', 'spk packages scripts --json'],
    build: () => ({ kind: 'installScripts.get' }),
  },
  {
    words: ['packages', 'allow-scripts'],
    args: ['name'],
    summary: "allow a package's install scripts: each host runs them before a tree with it becomes current",
    details: [
      'It takes effect at the next install (`spk install`): the new tree marks the package, and each host',
      'runs its preinstall, install and postinstall scripts in the tree being built, with a timeout',
      "(SPK_INSTALL_SCRIPTS_TIMEOUT_MS) and the script runs' confinement; a failing script keeps that host on",
      "its previous tree. npm's implicit `node-gyp rebuild` is never run. Needs an admin token.",
    ],
    options: [],
    examples: ['spk packages allow-scripts esbuild'],
    build: ([name = '']) => ({ kind: 'installScripts.allow', name }),
  },
  {
    words: ['packages', 'disallow-scripts'],
    args: ['name'],
    summary: "stop running a package's install scripts (from the next install on)",
    details: [
      'It takes effect at the next install (`spk install`): hosts keep running the current tree, scripts',
      'already run included, until then. A name that is not allowed is refused (see spk packages scripts).',
    ],
    options: [],
    examples: ['spk packages disallow-scripts esbuild'],
    build: ([name = '']) => ({ kind: 'installScripts.disallow', name }),
  },
  {
    words: ['install'],
    args: [],
    usage: 'spk install [--wait [--timeout <seconds>]]',
    summary: 'start a central install of the declared set',
    details: [
      'Without --wait it returns once the install has started; follow it with `spk status`.',
      'With --wait it prints "committed <hash> (...)" when the install commits, then waits until the server',
      'that answered runs that tree and prints "host <id> runs <hash> (converged in N s)", so `spk run`',
      'right after finds it. Behind a load balancer the next call may reach another server: give',
      '`spk run` --wait-converged to make the server that runs the script wait for the tree.',
    ],
    options: [
      { name: 'wait', help: 'follow the install to its end and until this server runs the new tree; exit 1 if either fails' },
      { name: 'timeout', value: '<seconds>', help: 'with --wait: give up after this long, install and convergence together (default 300; 90s, 5m also work)' },
    ],
    examples: ['spk install', 'spk install --wait', 'spk install --wait --timeout 10m'],
    build: (_args, values) => ({ kind: 'install', wait: values.wait === true, timeoutMs: waitTimeout(values, 'install') }),
  },
  {
    words: ['status'],
    args: [],
    summary: 'install state, size, warnings, last error, and whether every host runs the desired tree',
    details: [
      'The first line says in words whether every host runs the desired tree; hosts that have not',
      'reported for three poll intervals are stale and named with when they were last seen. It ends with',
      'the host table of `spk hosts`: core instances and satellites.',
    ],
    options: [],
    examples: ['spk status', 'spk status --json'],
    build: () => ({ kind: 'status' }),
  },
  {
    words: ['hosts'],
    args: [],
    summary: 'every host, core instances and satellites: the tree each runs, whether it is converged, lagging or stale',
    details: [
      'STATE is converged when the host runs the desired tree, lagging when it runs another or none, and',
      'stale when it has not reported for three poll intervals (it may be stopped, hung or cut off).',
      'For satellites it also shows the agent version, the hostname and what the last reconcile pulled.',
      'TREES and DISK (once hosts report them): the trees a host holds, with how many are retired (deleted',
      'after SPK_TREE_GC_GRACE_MS) or pinned by running scripts, and the bytes of its trees and package cache.',
    ],
    options: [],
    examples: ['spk hosts', 'spk hosts --json'],
    build: () => ({ kind: 'hosts' }),
  },
  {
    words: ['history'],
    args: [],
    summary: 'the desired states committed so far, newest first: hash, when, by whom, from an install or a rollback, size',
    details: [
      `The last SPK_HISTORY_KEEP (default ${DEFAULT_HISTORY_KEEP}) are kept, plus every pinned one; their blobs are never`,
      'collected, so `spk rollback <hash>` to any of them works without the registry. FLAGS: * marks the',
      'desired state, "pinned" one kept whatever the history length.',
    ],
    options: [],
    examples: ['spk history', 'spk history --json'],
    build: () => ({ kind: 'history' }),
  },
  {
    words: ['history', 'pin'],
    args: ['hash'],
    summary: 'keep a history entry (and its blobs) whatever the history length',
    details: ['<hash> is a full lockfile hash or a unique prefix of at least 7 hex digits. Needs an admin token.'],
    options: [],
    examples: ['spk history pin 3f9a1c0b7d2e'],
    build: ([hash = '']) => ({ kind: 'history.pin', hash: hashRef(hash, 'history pin'), pinned: true }),
  },
  {
    words: ['history', 'unpin'],
    args: ['hash'],
    summary: 'let a pinned history entry go once it is older than the kept length',
    details: ['<hash> is a full lockfile hash or a unique prefix of at least 7 hex digits. Needs an admin token.'],
    options: [],
    examples: ['spk history unpin 3f9a1c0b7d2e'],
    build: ([hash = '']) => ({ kind: 'history.pin', hash: hashRef(hash, 'history unpin'), pinned: false }),
  },
  {
    words: ['rollback'],
    args: ['hash'],
    usage: 'spk rollback <hash> [--wait [--timeout <seconds>]]',
    summary: 'make a state from `spk history` the desired state again, with the declared set it came from',
    details: [
      '<hash> is a full lockfile hash or a unique prefix of at least 7 hex digits. Nothing is resolved and',
      'the registry is not contacted: the blobs of every kept history entry are still in the blob store.',
      'The declared packages are restored as they were when that state was installed, and every host',
      'converges on it as after an install. Refused while an install, a blob GC or a storage migration runs.',
      'Needs an admin token.',
    ],
    options: [
      { name: 'wait', help: 'wait until every host that is not stale runs the tree; exit 1 if one does not in time' },
      { name: 'timeout', value: '<seconds>', help: 'with --wait: give up after this long (default 300; 90s, 5m also work)' },
    ],
    examples: ['spk rollback 3f9a1c0b7d2e', 'spk rollback 3f9a1c0b7d2e --wait --timeout 5m'],
    build: ([hash = ''], values) => ({ kind: 'rollback', hash: hashRef(hash, 'rollback'), wait: values.wait === true, timeoutMs: waitTimeout(values, 'rollback') }),
  },
  {
    words: ['registry', 'get'],
    args: [],
    summary: 'the whole registry configuration: default and scoped registries, auth per registry, TLS, proxies, key id',
    details: [
      'Every secret (_authToken, _auth, _password) is shown masked, as "set, ends in …abcd"; one sealed with',
      'another secret key than the server has is shown as "set, but sealed with another key (<id>)".',
    ],
    options: [],
    examples: ['spk registry get', 'spk registry get --json'],
    build: () => ({ kind: 'registry.get' }),
  },
  {
    words: ['registry', 'set'],
    args: ['url'],
    usage: 'spk registry set <url> [--token-stdin | --clear-token]',
    summary: 'set the default npm registry, and its token; the rest of the configuration is kept',
    details: [
      'Tokens are kept per registry: without --token-stdin or --clear-token, the token stored for <url> (if',
      'any) is used. The registry token is read from stdin only, so it stays out of the process list and',
      'shell history. --token is refused here: it is the spk admin token everywhere else; give that one',
      'with SPK_TOKEN. Scoped registries, TLS and proxies: spk registry import-npmrc.',
    ],
    options: [
      { name: 'token-stdin', help: "read the registry's auth token from the first line of stdin" },
      { name: 'clear-token', help: "remove the stored credentials of <url> (token, _auth, username and password)" },
    ],
    examples: ['spk registry set https://registry.npmjs.org/', 'printf %s "$NPM_TOKEN" | spk registry set https://npm.example.com/ --token-stdin'],
    build: ([url = ''], values) => {
      if (values.token !== undefined) {
        throw new UsageError(`"spk registry set" does not take --token: ${REGISTRY_TOKEN_HINT}. (--token is the spk admin token; set SPK_TOKEN for that.)`, 'registry set');
      }
      if (values['token-stdin'] && values['clear-token']) {
        throw new UsageError('--token-stdin and --clear-token cannot be used together', 'registry set');
      }
      return { kind: 'registry.set', url, tokenStdin: values['token-stdin'] === true, clearToken: values['clear-token'] === true };
    },
  },
  {
    words: ['registry', 'import-npmrc'],
    args: ['file'],
    summary: "replace the registry configuration with an .npmrc's registry settings (file - reads stdin)",
    details: [
      'Reads registry, @scope:registry, //host/path/:_authToken, _auth, username, _password, always-auth,',
      'ca, cafile, strict-ssl, https-proxy, proxy and noproxy (docs/registries.md). ${VAR} in a credential is',
      "replaced from the server's environment, not this shell's (elsewhere it is refused). Keys not imported are",
      'printed as warnings. The whole configuration is replaced; secrets are encrypted at rest and never printed.',
    ],
    options: [],
    examples: ['spk registry import-npmrc ~/.npmrc', 'spk registry import-npmrc - < company.npmrc'],
    build: ([file = '']) => ({ kind: 'registry.importNpmrc', file }),
  },
  {
    words: ['registry', 'rotate-key'],
    args: [],
    summary: 'encrypt the stored registry secrets with a new secret key, read from the first line of stdin',
    details: [
      'The key is 32 random bytes, base64-encoded (openssl rand -base64 32). Keep it before you pipe it in:',
      'with SPK_SECRET_KEY, every instance must be given the new key before it restarts. Without it, the',
      "server saves the key in its data dir's secret-key (the previous one in secret-key.previous).",
    ],
    options: [],
    examples: ['openssl rand -base64 32 > new-key && spk registry rotate-key < new-key'],
    build: () => ({ kind: 'registry.rotateKey' }),
  },
  {
    words: ['search'],
    args: ['text'],
    summary: 'search the registry for packages: name, latest version, description',
    details: [
      'Asks the default registry (its /-/v1/search) through the server, with the server\'s registry settings',
      'and credentials; the first 20 results. Quote text with spaces: spk search "date format".',
    ],
    options: [],
    examples: ['spk search zod', 'spk search "date format" --json'],
    build: ([text = '']) => ({ kind: 'search', text }),
  },
  {
    words: ['info'],
    args: ['spec'],
    usage: 'spk info <name>[@range]',
    summary: 'what a package is: the version a range picks, description, license, size, types, install scripts, deprecation',
    details: [
      'Without a range it describes the version the latest dist-tag points to; a range or a tag picks the',
      'version npm would install for it (as `spk packages add` would). Scoped names are asked of their',
      "scope's registry.",
    ],
    options: [],
    examples: ['spk info zod', 'spk info zod@^3.23', 'spk info @types/node@next --json'],
    build: ([spec = '']) => ({ kind: 'info', spec }),
  },
  {
    words: ['caps', 'get'],
    args: [],
    summary: 'the size caps every install is checked against',
    options: [],
    examples: ['spk caps get', 'spk caps get --json'],
    build: () => ({ kind: 'caps.get' }),
  },
  {
    words: ['caps', 'set'],
    args: [],
    usage: 'spk caps set [--warn-total <size>] [--block-total <size>] [--max-package <size>]',
    summary: 'change the size caps; caps not given keep their value',
    details: [
      'Sizes are of the packed tarballs. They take a unit: B, KiB, MiB, GiB (powers of 1024) or kB, MB,',
      'GB (powers of 1000); a plain number is bytes. An install whose set is larger than the warn total',
      'succeeds with a warning; one larger than the block total, or with one package larger than the',
      'package cap, fails before anything is published.',
    ],
    options: [
      { name: 'warn-total', help: "warn when the whole set's tarballs add up to more than this" },
      { name: 'block-total', help: "refuse an install whose set's tarballs add up to more than this" },
      { name: 'max-package', help: 'refuse an install with one package tarball larger than this' },
    ],
    examples: ['spk caps set --warn-total 150MiB --block-total 300MiB', 'spk caps set --max-package 50MiB'],
    build: (_args, values) => {
      const caps = {
        warnTotalBytes: size(values['warn-total'], '--warn-total'),
        blockTotalBytes: size(values['block-total'], '--block-total'),
        maxPackageBytes: size(values['max-package'], '--max-package'),
      };
      if (Object.values(caps).every((value) => value === undefined)) {
        throw new UsageError('"spk caps set" needs at least one of --warn-total, --block-total, --max-package', 'caps set');
      }
      return { kind: 'caps.set', ...caps };
    },
  },
  {
    words: ['run'],
    args: ['file'],
    usage: 'spk run <file.mjs|.js|.cjs> [--timeout <ms>] [--wait-converged <seconds>]',
    summary: 'run a script on the server against its current tree; print its output and its result',
    details: [
      "The script's default export (awaited, for a promise) is its result; for CommonJS it is module.exports.",
      'The script\'s stdout and stderr are relayed, then "result: <JSON>" when it exports a value; a script',
      'that exports nothing prints only its output. With --json the whole run record is printed, where',
      '"hasResult" says whether there was a result. A script that throws exits 1 with the error.',
    ],
    options: [
      {
        name: 'timeout',
        help: `kill the script after this many milliseconds (default ${DEFAULT_RUN_TIMEOUT_MS}; at most the server's ${RUN_SETTING_ENV.maxTimeoutMs}, default ${MAX_RUN_TIMEOUT_MS})`,
      },
      {
        name: 'wait-converged',
        help: `if the server does not run the desired tree yet, wait up to this long for it instead of failing with NOT_CONVERGED (at most ${MAX_RUN_CONVERGENCE_WAIT_MS / 1000})`,
      },
    ],
    examples: ['spk run check.mjs', 'spk run check.mjs --timeout 120000 --json', 'spk run check.mjs --wait-converged 60'],
    build: ([file = ''], values) => ({
      kind: 'run',
      file,
      timeoutMs: positiveMs(values.timeout, '--timeout', 'run'),
      waitConvergedMs: secondsOption(values['wait-converged'], '--wait-converged', 'run', MAX_RUN_CONVERGENCE_WAIT_MS),
    }),
  },
  {
    words: ['tokens', 'create'],
    args: ['name'],
    usage: 'spk tokens create <name> [--read-only]',
    summary: 'create a named API token and print it, this once only',
    details: [
      'The token alone goes to stdout (so TOKEN=$(spk tokens create ci) works), what it is to stderr;',
      'with --json, the whole record. The server keeps only a hash of it: it cannot be shown again, so',
      'store it now. Every server of the cluster accepts it at once. Needs an admin token.',
    ],
    options: [{ name: 'read-only', help: 'the token may read (list, status, get) but change nothing: every other call answers 403' }],
    examples: ['spk tokens create ci-deploy', 'spk tokens create dashboard --read-only --json'],
    build: ([name = ''], values) => ({ kind: 'tokens.create', name, readOnly: values['read-only'] === true }),
  },
  {
    words: ['tokens', 'list'],
    args: [],
    summary: 'list the API tokens: name, permissions, created, last used (never a token)',
    details: ['LAST USED is updated at most once a minute per token. Needs an admin token.'],
    options: [],
    examples: ['spk tokens list', 'spk tokens list --json'],
    build: () => ({ kind: 'tokens.list' }),
  },
  {
    words: ['tokens', 'revoke'],
    args: ['name'],
    summary: 'revoke a token: every server refuses it from the next request on',
    details: [
      'The last admin token cannot be revoked: create another admin token first. A revoked',
      'SPK_ADMIN_TOKEN stays revoked when a server restarts with it. Needs an admin token.',
    ],
    options: [],
    examples: ['spk tokens revoke ci-deploy'],
    build: ([name = '']) => ({ kind: 'tokens.revoke', name }),
  },
  {
    words: ['satellites', 'create'],
    args: ['name'],
    summary: 'create a satellite identity and print its token, this once only',
    details: [
      'The token alone goes to stdout (so TOKEN=$(spk satellites create dc2-probe) works); how to give it to',
      'spk-agent goes to stderr. With --json: {"name", "token"}. The server keeps only a hash of it, so store it',
      'now. A satellite token may only run spk-agent (desired state, watch, report, blob downloads); every',
      'other call answers 403. Needs an admin token.',
    ],
    options: [],
    examples: ['spk satellites create dc2-probe-1', 'spk satellites create dc2-probe-1 --json'],
    build: ([name = '']) => ({ kind: 'satellites.create', name }),
  },
  {
    words: ['satellites', 'list'],
    args: [],
    summary: 'list the satellite identities: name, created, last seen (never a token)',
    details: ['What each satellite runs is in `spk hosts`. Needs an admin token.'],
    options: [],
    examples: ['spk satellites list', 'spk satellites list --json'],
    build: () => ({ kind: 'satellites.list' }),
  },
  {
    words: ['satellites', 'revoke'],
    args: ['name'],
    summary: "revoke a satellite's token: every server refuses it at once and closes its open watch streams",
    details: ['To give that host a new token, create a satellite identity again. Needs an admin token.'],
    options: [],
    examples: ['spk satellites revoke dc2-probe-1'],
    build: ([name = '']) => ({ kind: 'satellites.revoke', name }),
  },
  {
    words: ['storage', 'get'],
    args: [],
    summary: 'the active blob store, the stores available, and how many blobs are published',
    options: [],
    examples: ['spk storage get', 'spk storage get --json'],
    build: () => ({ kind: 'storage.get' }),
  },
  {
    words: ['storage', 'set'],
    args: ['store'],
    summary: 'switch the blob store installs publish to (postgres, filesystem, or s3 when configured)',
    details: [
      'Refused (STORE_INCOMPLETE) unless the store already holds every blob of the installed set: to move',
      'them there, use `spk storage migrate <store>` instead. The filesystem store keeps blobs in each',
      "server's SPK_BLOB_DIR (default <data dir>/blobs): with several servers, that must be one shared volume.",
      'Needs an admin token.',
    ],
    options: [],
    examples: ['spk storage set filesystem'],
    build: ([store = '']) => ({ kind: 'storage.set', store }),
  },
  {
    words: ['storage', 'migrate'],
    args: ['store'],
    summary: 'copy every blob to another store, verify each copy, then make that store the active one',
    details: [
      'The migration runs on the server, records its progress durably and resumes after a restart; the target',
      'becomes active only once every blob is verified there. Installs, rollbacks and blob GC are refused while',
      'it runs, and it is refused during an install. Without --wait it returns once started; follow it with',
      '`spk storage state`. With --wait a progress bar is drawn on stderr (one line every few seconds when',
      'stderr is not a terminal) until it is done (exit 0) or failed (exit 1, with the blobs that failed);',
      'interrupting spk does not stop the migration. Needs an admin token.',
    ],
    options: [
      { name: 'wait', help: 'follow the migration to its end with a progress bar' },
      { name: 'delete-source', help: 'delete each blob from the old store once the switch is done (default: the server\'s SPK_MIGRATION_DELETE_SOURCE)' },
    ],
    examples: ['spk storage migrate filesystem --wait', 'spk storage migrate s3 --delete-source', 'spk storage migrate postgres --wait --json'],
    build: ([store = ''], values) => ({ kind: 'storage.migrate', store, wait: values.wait === true, deleteSource: values['delete-source'] === true }),
  },
  {
    words: ['storage', 'state'],
    args: [],
    summary: 'the active store, blobs and bytes per store, and the running (else last) migration with its progress',
    options: [],
    examples: ['spk storage state', 'spk storage state --json'],
    build: () => ({ kind: 'storage.state' }),
  },
  {
    words: ['fsck'],
    args: [],
    summary: "verify the answering server's package store and trees against the verified tarballs",
    details: ['Exits 1 while any damage remains, so a cron job or health check can alert on it.'],
    options: [{ name: 'repair', help: 'rebuild every file that differs, in place' }],
    examples: ['spk fsck', 'spk fsck --repair'],
    build: (_args, values) => ({ kind: 'fsck', repair: values.repair === true }),
  },
  {
    words: ['gc'],
    args: [],
    summary: "run blob GC now, and collect the answering server's retired trees",
    details: [
      'Blob GC prunes the history to its kept length, then deletes blobs that neither the desired state nor a',
      'kept history entry references once they have been unreferenced for longer than the grace',
      '(SPK_BLOB_GC_GRACE_MS); newly unreferenced ones are marked and wait it out. It runs under the installer',
      'lock: refused while an install, a rollback or a storage migration runs. Every host also collects its own',
      'retired trees after each reconcile and on a timer. Needs an admin token.',
    ],
    options: [],
    examples: ['spk gc', 'spk gc --json'],
    build: () => ({ kind: 'gc.run' }),
  },
  {
    words: ['gc', 'state'],
    args: [],
    summary: 'the GC settings, the next scheduled run, blobs waiting out the grace, and the last runs',
    options: [],
    examples: ['spk gc state', 'spk gc state --json'],
    build: () => ({ kind: 'gc.state' }),
  },
];

export const commandName = (spec: Pick<CommandSpec, 'words'>): string => spec.words.join(' ');

/** Words that take a sub-command (`packages`, `registry`, `caps`), in table order. */
export function commandGroups(): string[] {
  return [...new Set(COMMANDS.filter((spec) => spec.words.length > 1).map((spec) => spec.words[0]!))];
}

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((spec) => commandName(spec) === name);
}
