// Turns argv into one typed command. Pure: no I/O, so every way a command line can be wrong is
// a unit test. Commands and options are declared in command-table.ts; this file only parses.
import { parseArgs } from 'node:util';
import { COMMANDS, commandGroups, commandName, findCommand, GLOBAL_OPTIONS, OPTIONS, type CommandSpec, type OptionName, type RawValues } from './command-table.ts';
import { closestMatch, didYouMean } from './suggest.ts';
import { UsageError } from './usage-error.ts';

export { UsageError } from './usage-error.ts';

export interface GlobalOptions {
  server: string | undefined;
  token: string | undefined;
  dataDir: string | undefined;
  json: boolean;
}

export type Command =
  /** `topic` is a command ("packages add") or a group ("packages"); undefined for the whole CLI. */
  | { kind: 'help'; topic: string | undefined }
  | { kind: 'version' }
  | { kind: 'packages.list' }
  | { kind: 'packages.add'; spec: string; disabled: boolean }
  | { kind: 'packages.set'; spec: string }
  | { kind: 'packages.enable'; name: string }
  | { kind: 'packages.disable'; name: string }
  | { kind: 'packages.remove'; name: string }
  | { kind: 'installScripts.get' }
  | { kind: 'installScripts.allow'; name: string }
  | { kind: 'installScripts.disallow'; name: string }
  | { kind: 'install'; wait: boolean; timeoutMs?: number | undefined }
  | { kind: 'status' }
  | { kind: 'hosts' }
  | { kind: 'search'; text: string }
  | { kind: 'info'; spec: string }
  | { kind: 'registry.get' }
  | { kind: 'registry.set'; url: string; tokenStdin: boolean; clearToken: boolean }
  /** `file` "-" reads stdin. */
  | { kind: 'registry.importNpmrc'; file: string }
  | { kind: 'registry.rotateKey' }
  | { kind: 'caps.get' }
  | { kind: 'caps.set'; warnTotalBytes: number | undefined; blockTotalBytes: number | undefined; maxPackageBytes: number | undefined }
  | { kind: 'run'; file: string; timeoutMs: number | undefined; waitConvergedMs?: number | undefined }
  | { kind: 'fsck'; repair: boolean }
  | { kind: 'tokens.create'; name: string; readOnly: boolean }
  | { kind: 'tokens.list' }
  | { kind: 'tokens.revoke'; name: string }
  | { kind: 'satellites.create'; name: string }
  | { kind: 'satellites.list' }
  | { kind: 'satellites.revoke'; name: string }
  | { kind: 'storage.get' }
  | { kind: 'storage.set'; store: string }
  /** Without deleteSource the server's SPK_MIGRATION_DELETE_SOURCE decides. */
  | { kind: 'storage.migrate'; store: string; wait: boolean; deleteSource: boolean }
  | { kind: 'storage.state' }
  | { kind: 'history' }
  /** `hash` is a full lockfile hash or a unique prefix; the server resolves it. */
  | { kind: 'history.pin'; hash: string; pinned: boolean }
  | { kind: 'rollback'; hash: string; wait: boolean; timeoutMs?: number | undefined }
  | { kind: 'gc.run' }
  | { kind: 'gc.state' };

export interface ParsedArgs {
  global: GlobalOptions;
  command: Command;
}

const GLOBAL_NAMES: ReadonlySet<OptionName> = new Set(GLOBAL_OPTIONS.map((option) => option.name));
const PARSE_CONFIG = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, spec]) => [name, 'short' in spec ? { type: spec.type, short: spec.short } : { type: spec.type }]),
) as { [K in OptionName]: { type: (typeof OPTIONS)[K]['type']; short?: string } };

const flag = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);

/** Names of the commands that take an option, for "spk packages list does not take --wait". */
function commandsTaking(option: OptionName): string[] {
  return COMMANDS.filter((spec) => spec.options.some((o) => o.name === option)).map((spec) => `spk ${commandName(spec)}`);
}

/** The command the words before the first option probably name, to narrow option suggestions. */
function guessCommand(positionals: readonly string[]): CommandSpec | undefined {
  return findCommand(positionals.slice(0, 2).join(' ')) ?? findCommand(positionals[0] ?? '');
}

/** node:util's message for an unknown option does not suggest anything; ours names the likely one. */
function unknownOptionError(argv: readonly string[]): UsageError | null {
  const { tokens, positionals } = parseArgs({ args: [...argv], options: PARSE_CONFIG, allowPositionals: true, strict: false, tokens: true });
  const unknown = tokens.find((token) => token.kind === 'option' && !(token.name in OPTIONS));
  if (!unknown || unknown.kind !== 'option') return null;
  const spec = guessCommand(positionals);
  const candidates = spec ? [...GLOBAL_NAMES, ...spec.options.map((o) => o.name)] : Object.keys(OPTIONS);
  const where = spec ? `"spk ${commandName(spec)}"` : 'spk';
  return new UsageError(
    `unknown option ${unknown.rawName} for ${where}${didYouMean(unknown.name, candidates, (name) => flag(name))}`,
    spec ? commandName(spec) : undefined,
  );
}

function parseRaw(argv: readonly string[]): { values: RawValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: PARSE_CONFIG, allowPositionals: true, strict: true });
    return { values: values as RawValues, positionals };
  } catch (error) {
    // node:util reports unknown options and missing values as TypeErrors with an ERR_PARSE_ARGS_* code.
    const code = String((error as NodeJS.ErrnoException).code);
    if (error instanceof TypeError && code.startsWith('ERR_PARSE_ARGS')) {
      throw (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknownOptionError(argv)) || new UsageError(error.message);
    }
    throw error;
  }
}

/** "unknown command", with the closest command or group when one is near. */
function unknownCommandError(words: readonly string[], group: string | undefined): UsageError {
  if (group !== undefined) {
    const subs = COMMANDS.filter((spec) => spec.words[0] === group && spec.words.length > 1).map((spec) => spec.words[1]!);
    const hint = didYouMean(words[1]!, subs, (sub) => `"${group} ${sub}"`);
    // The usage shown with it lists the group's sub-commands.
    return new UsageError(`unknown sub-command "${words.join(' ')}"${hint}`, group);
  }
  const heads = [...new Set(COMMANDS.map((spec) => spec.words[0]!)), 'help'];
  return new UsageError(`unknown command "${words[0]}"${didYouMean(words[0]!, heads)}`);
}

/** A help topic as typed after `spk help`: a command, a group, or nothing. */
function checkTopic(words: readonly string[]): string | undefined {
  if (words.length === 0) return undefined;
  const topic = words.join(' ');
  if (findCommand(topic) || (words.length === 1 && commandGroups().includes(topic))) return topic;
  const heads = [...new Set(COMMANDS.map((spec) => spec.words[0]!))];
  throw new UsageError(`no help on "${topic}"${didYouMean(topic, [...heads, ...COMMANDS.map(commandName)])}; topics: ${heads.join(', ')}`);
}

function checkOptions(spec: CommandSpec, values: RawValues): void {
  const name = commandName(spec);
  const allowed = new Set<OptionName>([...GLOBAL_NAMES, ...spec.options.map((option) => option.name)]);
  for (const option of Object.keys(values) as OptionName[]) {
    if (allowed.has(option)) continue;
    const takers = commandsTaking(option);
    const suggestion = closestMatch(option, [...allowed].filter((o) => !GLOBAL_NAMES.has(o)));
    const hint = suggestion ? `; did you mean --${suggestion}?` : takers.length > 0 ? ` (${takers.join(', ')} does)` : '';
    throw new UsageError(`"spk ${name}" does not take --${option}${hint}`, name);
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
  if (values.version) return { global, command: { kind: 'version' } };

  const [head, ...rest] = positionals;
  if (head === undefined) {
    if (values.help) return { global, command: { kind: 'help', topic: undefined } };
    throw new UsageError('no command given');
  }
  if (head === 'help') return { global, command: { kind: 'help', topic: checkTopic(rest) } };

  // A group word may be a command of its own too (`spk gc`, `spk gc state`).
  const isGroup = commandGroups().includes(head) && !(rest[0] === undefined && findCommand(head));
  const words = isGroup ? [head, rest[0]] : [head];
  const args = isGroup ? rest.slice(1) : rest;
  if (isGroup && words[1] === undefined) {
    if (values.help) return { global, command: { kind: 'help', topic: head } };
    throw new UsageError(`"${head}" needs a sub-command`, head);
  }
  const spec = findCommand(words.join(' '));
  if (!spec) throw unknownCommandError(words as string[], isGroup ? head : undefined);
  const name = commandName(spec);
  if (values.help) return { global, command: { kind: 'help', topic: name } };

  checkOptions(spec, values);
  if (args.length < spec.args.length) throw new UsageError(`"spk ${name}" needs <${spec.args[args.length]}>`, name);
  if (args.length > spec.args.length) throw new UsageError(`unexpected argument "${args[spec.args.length]}" for "spk ${name}"`, name);
  return { global, command: spec.build(args, values) };
}

/** Whether `--json` was asked for, even when the rest of the line does not parse. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}
