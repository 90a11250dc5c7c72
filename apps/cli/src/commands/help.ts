// `spk help [topic]`, `spk <command> --help` and the short usage shown with a usage error, all
// rendered from command-table.ts. The exit codes come from exit-codes.ts so help, docs and tests
// cannot drift apart.
import { COMMANDS, commandName, findCommand, GLOBAL_OPTIONS, GROUP_SUMMARIES, OPTIONS, type CommandSpec, type OptionHelp } from '../command-table.ts';
import { EXIT_CODE_TABLE } from '../exit-codes.ts';

const HEADLINE = 'spk: manage the script packages of an spk server';

function columns(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows.map((row) =>
    `  ${row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')}`.trimEnd(),
  );
}

function flagWithValue(option: OptionHelp): string {
  const spec = OPTIONS[option.name];
  const value = option.value ?? ('value' in spec ? spec.value : undefined);
  const long = `--${option.name}${value ? ` ${value}` : ''}`;
  return 'short' in spec ? `-${spec.short}, ${long}` : long;
}

/** Flag, environment variable (a column only when some option has one) and what it does. */
function optionRows(options: readonly OptionHelp[]): string[] {
  const withEnv = options.some((option) => option.env !== undefined);
  return columns(options.map((option) => (withEnv ? [flagWithValue(option), option.env ?? '', option.help] : [flagWithValue(option), option.help])));
}

export function usageLine(spec: CommandSpec): string {
  if (spec.usage) return spec.usage;
  const args = spec.args.map((arg) => `<${arg}>`);
  const options = spec.options.map((option) => `[${flagWithValue(option)}]`);
  return ['spk', ...spec.words, ...args, ...options].join(' ');
}

/** The short form for lists: the words and arguments, with "[options]" when there are any. */
function shortUsage(spec: CommandSpec): string {
  return ['spk', ...spec.words, ...spec.args.map((arg) => `<${arg}>`), ...(spec.options.length > 0 ? ['[options]'] : [])].join(' ');
}

const commandRows = (specs: readonly CommandSpec[]) => columns(specs.map((spec) => [shortUsage(spec), spec.summary]));

function overview(): string[] {
  return [
    HEADLINE,
    '',
    'Usage: spk <command> [options]',
    '',
    'Commands:',
    ...columns([...COMMANDS.map((spec) => [shortUsage(spec), spec.summary]), ['spk help [<command>]', "this help, or a command's options and examples"]]),
    '',
    'Global options (every command), with the environment variable each falls back to:',
    ...optionRows(GLOBAL_OPTIONS),
    '',
    'Exit codes:',
    ...columns(EXIT_CODE_TABLE.map((row) => [String(row.code), `${row.name.toLowerCase()}: ${row.meaning}`])),
    '',
    'Run `spk <command> --help` for its options and examples.',
  ];
}

function groupHelp(group: string): string[] {
  const specs = COMMANDS.filter((spec) => spec.words[0] === group);
  return [
    `spk ${group}: ${GROUP_SUMMARIES[group] ?? `the ${group} commands`}`,
    '',
    'Usage:',
    ...commandRows(specs),
    '',
    `Run \`spk ${group} <sub-command> --help\` for its options and examples.`,
  ];
}

function commandHelp(spec: CommandSpec): string[] {
  const lines = [`spk ${commandName(spec)}: ${spec.summary}`, '', 'Usage:', `  ${usageLine(spec)}`];
  if (spec.details) lines.push('', ...spec.details);
  // `spk gc --help` is about `spk gc`, but names `spk gc state` too.
  const subCommands = spec.words.length === 1 ? COMMANDS.filter((s) => s.words.length > 1 && s.words[0] === spec.words[0]) : [];
  if (subCommands.length > 0) lines.push('', 'Sub-commands:', ...commandRows(subCommands));
  if (spec.options.length > 0) lines.push('', 'Options:', ...optionRows(spec.options));
  lines.push('', 'Global options, with the environment variable each falls back to:', ...optionRows(GLOBAL_OPTIONS));
  lines.push('', 'Examples:', ...spec.examples.map((example) => `  ${example}`));
  return lines;
}

/** Full help: the whole CLI, a group ("packages") or one command ("packages add"). */
export function helpText(topic?: string): string {
  const spec = topic === undefined ? undefined : findCommand(topic);
  const lines = spec ? commandHelp(spec) : topic !== undefined && COMMANDS.some((s) => s.words[0] === topic) ? groupHelp(topic) : overview();
  return `${lines.join('\n')}\n`;
}

/** What follows a usage error: the usage line(s) that apply and where the full help is. */
export function usageHint(topic?: string): string {
  const spec = topic === undefined ? undefined : findCommand(topic);
  if (spec) return `Usage: ${usageLine(spec)}\nRun \`spk ${commandName(spec)} --help\` for its options and examples.\n`;
  const group = topic === undefined ? [] : COMMANDS.filter((s) => s.words[0] === topic);
  if (group.length > 0) return `Usage:\n${commandRows(group).join('\n')}\nRun \`spk ${topic} <sub-command> --help\` for its options and examples.\n`;
  return 'Run `spk --help` for the commands and options.\n';
}
