// `spk help [topic]` and the usage shown with usage errors. The exit codes come from the table
// in exit-codes.ts so help, docs and tests cannot drift apart.
import { EXIT_CODE_TABLE } from '../exit-codes.ts';

const COMMAND_LINES: ReadonlyArray<{ topic: string; usage: string; summary: string }> = [
  { topic: 'packages', usage: 'spk packages list', summary: 'list the declared packages' },
  { topic: 'packages', usage: 'spk packages add <spec> [--disabled]', summary: 'declare a package: zod, zod@^3.23, @scope/x@latest' },
  { topic: 'packages', usage: 'spk packages set <name>@<range>', summary: 'change the range of a declared package' },
  { topic: 'packages', usage: 'spk packages enable <name>', summary: 'include a declared package in installs' },
  { topic: 'packages', usage: 'spk packages disable <name>', summary: 'keep it declared but leave it out of installs' },
  { topic: 'packages', usage: 'spk packages remove <name>', summary: 'remove a declared package' },
  { topic: 'install', usage: 'spk install [--wait]', summary: 'start a central install; --wait follows it to the end' },
  { topic: 'status', usage: 'spk status', summary: 'install state, size, warnings, last error and every host' },
  { topic: 'registry', usage: 'spk registry get', summary: 'the npm registry URL and whether a token is set' },
  {
    topic: 'registry',
    usage: 'spk registry set <url> [--token-stdin|--clear-token]',
    summary: 'set the registry; its token is read from stdin only (--token is the spk admin token)',
  },
  { topic: 'run', usage: 'spk run <file.mjs|.js|.cjs> [--timeout <ms>]', summary: 'run a script on the server and print its output and result' },
  { topic: 'fsck', usage: 'spk fsck [--repair]', summary: "verify the answering server's package store and trees; --repair rebuilds what differs" },
  { topic: 'help', usage: 'spk help [packages|install|status|registry|run|fsck]', summary: 'this help' },
];

const GLOBAL_OPTIONS = [
  ['--server <url>', 'server URL; else SPK_SERVER, else http://$HOST:$PORT (default http://127.0.0.1:3000)'],
  ['--token <token>', 'admin token; else SPK_TOKEN, else the file <data dir>/admin-token (prefer SPK_TOKEN: argv is visible to other users)'],
  ['--data-dir <dir>', 'the server\'s data directory, to find admin-token; else SPK_DATA_DIR, else ./.data'],
  ['--json', 'print the raw result as JSON on stdout, and errors as {"error":{...}} on stderr'],
  ['-h, --help', 'show help for the command'],
] as const;

function columns(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

export function usageText(topic?: string): string {
  const commands = COMMAND_LINES.filter((line) => topic === undefined || line.topic === topic || line.topic === 'help');
  return [
    'spk: manage the script packages of an spk server',
    '',
    'Usage:',
    ...columns(commands.map((line) => [line.usage, line.summary] as const)),
    '',
    'Options:',
    ...columns(GLOBAL_OPTIONS),
    '',
    'Exit codes:',
    ...columns(EXIT_CODE_TABLE.map((row) => [String(row.code), `${row.name.toLowerCase()}: ${row.meaning}`] as const)),
    '',
  ].join('\n');
}
