// Every command and option `spk` knows, declared once: args.ts parses with this table and help.ts
// renders it, so the help cannot drift from what is accepted. A new command is one entry in its
// group's list under command-specs/ (plus its variant of `Command` in args.ts and a case in
// main.ts's dispatch); COMMANDS joins the lists in the order help shows them.
import { DEFAULT_DATA_DIR, DEFAULT_SERVER_HOST, DEFAULT_SERVER_PORT } from '@spk/common';
import type { Command } from './args.ts';
import { PACKAGE_COMMANDS } from './command-specs/package-commands.ts';
import { INSTALL_COMMANDS } from './command-specs/install-commands.ts';
import { REGISTRY_COMMANDS } from './command-specs/registry-commands.ts';
import { RUN_AND_CAPS_COMMANDS } from './command-specs/run-commands.ts';
import { IDENTITY_COMMANDS } from './command-specs/identity-commands.ts';
import { STORAGE_COMMANDS } from './command-specs/storage-commands.ts';

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

export const COMMANDS: readonly CommandSpec[] = [...PACKAGE_COMMANDS, ...INSTALL_COMMANDS, ...REGISTRY_COMMANDS, ...RUN_AND_CAPS_COMMANDS, ...IDENTITY_COMMANDS, ...STORAGE_COMMANDS];

export const commandName = (spec: Pick<CommandSpec, 'words'>): string => spec.words.join(' ');

/** Words that take a sub-command (`packages`, `registry`, `caps`), in table order. */
export function commandGroups(): string[] {
  return [...new Set(COMMANDS.filter((spec) => spec.words.length > 1).map((spec) => spec.words[0]!))];
}

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((spec) => commandName(spec) === name);
}
