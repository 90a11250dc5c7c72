// `spk` commands: the registries: configuration, search and package info. Part of the one command table (command-table.ts).
import type { CommandSpec } from '../command-table.ts';
import { REGISTRY_TOKEN_HINT } from '../command-values.ts';
import { UsageError } from '../usage-error.ts';

export const REGISTRY_COMMANDS: readonly CommandSpec[] = [
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
];
