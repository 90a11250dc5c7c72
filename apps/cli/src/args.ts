// Turns argv into one typed command. Pure: no I/O, so every way a command line can be wrong is
// a unit test. Options are declared once; each command lists which of them it accepts.
import { parseArgs } from 'node:util';

export interface GlobalOptions {
  server: string | undefined;
  token: string | undefined;
  dataDir: string | undefined;
  json: boolean;
}

export type Command =
  | { kind: 'help'; topic: string | undefined }
  | { kind: 'packages.list' }
  | { kind: 'packages.add'; spec: string; disabled: boolean }
  | { kind: 'packages.set'; spec: string }
  | { kind: 'packages.enable'; name: string }
  | { kind: 'packages.disable'; name: string }
  | { kind: 'packages.remove'; name: string }
  | { kind: 'install'; wait: boolean }
  | { kind: 'status' }
  | { kind: 'registry.get' }
  | { kind: 'registry.set'; url: string; tokenStdin: boolean; clearToken: boolean }
  | { kind: 'run'; file: string; timeoutMs: number | undefined }
  | { kind: 'fsck'; repair: boolean };

export type CommandKind = Command['kind'];

export interface ParsedArgs {
  global: GlobalOptions;
  command: Command;
}

/** A command line we cannot act on; `topic` names the help section to show with it. */
export class UsageError extends Error {
  readonly topic: string | undefined;

  constructor(message: string, topic?: string) {
    super(message);
    this.name = 'UsageError';
    this.topic = topic;
  }
}

const OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  disabled: { type: 'boolean' },
  wait: { type: 'boolean' },
  'token-stdin': { type: 'boolean' },
  'clear-token': { type: 'boolean' },
  timeout: { type: 'string' },
  repair: { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;
const GLOBAL_OPTIONS: readonly OptionName[] = ['server', 'token', 'data-dir', 'json', 'help'];

interface CommandSpec {
  kind: Exclude<CommandKind, 'help'>;
  topic: string;
  /** Names of the positional arguments after the command words, all required. */
  args: readonly string[];
  options: readonly OptionName[];
}

const COMMANDS: Record<string, CommandSpec> = {
  'packages list': { kind: 'packages.list', topic: 'packages', args: [], options: [] },
  'packages add': { kind: 'packages.add', topic: 'packages', args: ['spec'], options: ['disabled'] },
  'packages set': { kind: 'packages.set', topic: 'packages', args: ['spec'], options: [] },
  'packages enable': { kind: 'packages.enable', topic: 'packages', args: ['name'], options: [] },
  'packages disable': { kind: 'packages.disable', topic: 'packages', args: ['name'], options: [] },
  'packages remove': { kind: 'packages.remove', topic: 'packages', args: ['name'], options: [] },
  install: { kind: 'install', topic: 'install', args: [], options: ['wait'] },
  status: { kind: 'status', topic: 'status', args: [], options: [] },
  'registry get': { kind: 'registry.get', topic: 'registry', args: [], options: [] },
  'registry set': { kind: 'registry.set', topic: 'registry', args: ['url'], options: ['token-stdin', 'clear-token'] },
  run: { kind: 'run', topic: 'run', args: ['file'], options: ['timeout'] },
  fsck: { kind: 'fsck', topic: 'fsck', args: [], options: ['repair'] },
};

/** Commands that take a sub-command word (`spk packages add`). */
const GROUPS = new Set(['packages', 'registry']);
export const HELP_TOPICS = ['packages', 'install', 'status', 'registry', 'run', 'fsck'] as const;

type RawValues = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean };

function parseRaw(argv: readonly string[]): { values: RawValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    return { values: values as RawValues, positionals };
  } catch (error) {
    // node:util reports unknown options and missing values as TypeErrors with an ERR_PARSE_ARGS_* code.
    if (error instanceof TypeError && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`--timeout takes a positive whole number of milliseconds, got "${value}"`, 'run');
  }
  return Number(value);
}

function buildCommand(spec: CommandSpec, args: readonly string[], values: RawValues): Command {
  const [first = ''] = args;
  switch (spec.kind) {
    case 'packages.list':
    case 'status':
    case 'registry.get':
      return { kind: spec.kind };
    case 'packages.add':
      return { kind: spec.kind, spec: first, disabled: values.disabled === true };
    case 'packages.set':
      return { kind: spec.kind, spec: first };
    case 'packages.enable':
    case 'packages.disable':
    case 'packages.remove':
      return { kind: spec.kind, name: first };
    case 'install':
      return { kind: spec.kind, wait: values.wait === true };
    case 'registry.set':
      if (values['token-stdin'] && values['clear-token']) {
        throw new UsageError('--token-stdin and --clear-token cannot be used together', spec.topic);
      }
      return { kind: spec.kind, url: first, tokenStdin: values['token-stdin'] === true, clearToken: values['clear-token'] === true };
    case 'run':
      return { kind: spec.kind, file: first, timeoutMs: parseTimeout(values.timeout) };
    case 'fsck':
      return { kind: spec.kind, repair: values.repair === true };
  }
}

export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  const { values, positionals } = parseRaw(argv);
  if (values.token === '') throw new UsageError('--token is empty');
  if (values.server === '') throw new UsageError('--server is empty');
  const global: GlobalOptions = {
    server: values.server,
    token: values.token,
    dataDir: values['data-dir'],
    json: values.json === true,
  };

  const [head, ...rest] = positionals;
  if (head === undefined) {
    if (values.help) return { global, command: { kind: 'help', topic: undefined } };
    throw new UsageError('no command given');
  }
  if (head === 'help') {
    if (rest.length > 1) throw new UsageError(`too many arguments to help: ${rest.join(' ')}`);
    return { global, command: { kind: 'help', topic: checkTopic(rest[0]) } };
  }

  const isGroup = GROUPS.has(head);
  const words = isGroup ? [head, rest[0]] : [head];
  const args = isGroup ? rest.slice(1) : rest;
  if (isGroup && words[1] === undefined) {
    if (values.help) return { global, command: { kind: 'help', topic: head } };
    throw new UsageError(`"${head}" needs a sub-command`, head);
  }
  const spec = COMMANDS[words.join(' ')];
  if (!spec) {
    throw new UsageError(
      isGroup ? `unknown sub-command "${words.join(' ')}"` : `unknown command "${head}"`,
      isGroup ? head : undefined,
    );
  }
  if (values.help) return { global, command: { kind: 'help', topic: spec.topic } };

  const allowed = new Set<OptionName>([...GLOBAL_OPTIONS, ...spec.options]);
  for (const name of Object.keys(values) as OptionName[]) {
    if (!allowed.has(name)) throw new UsageError(`"spk ${words.join(' ')}" does not take --${name}`, spec.topic);
  }
  if (args.length < spec.args.length) {
    throw new UsageError(`"spk ${words.join(' ')}" needs <${spec.args[args.length]}>`, spec.topic);
  }
  if (args.length > spec.args.length) {
    throw new UsageError(`unexpected argument "${args[spec.args.length]}" for "spk ${words.join(' ')}"`, spec.topic);
  }
  return { global, command: buildCommand(spec, args, values) };
}

function checkTopic(topic: string | undefined): string | undefined {
  if (topic === undefined || (HELP_TOPICS as readonly string[]).includes(topic)) return topic;
  throw new UsageError(`no help on "${topic}"; topics: ${HELP_TOPICS.join(', ')}`);
}

/** Whether `--json` was asked for, even when the rest of the line does not parse. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}
