// `spk-agent`'s command line: the daemon (no subcommand), `run <file>`, --help and --version.
// Parsing only; what the values mean and where defaults come from is config.ts's.
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface DaemonFlags {
  server?: string;
  token?: string;
  tokenFile?: string;
  dataDir?: string;
  hostId?: string;
  pollIntervalMs?: string;
  heartbeatMs?: string;
}

export type AgentCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'daemon'; flags: DaemonFlags }
  | { kind: 'run'; file: string; dataDir?: string; timeoutSeconds?: string; json: boolean };

export const USAGE = `usage:
  spk-agent [--server URL] [--token T | --token-file FILE] [--data-dir DIR] [--host-id ID]
      Keep this host's package tree converged to the core at URL, following its pushes.
      Environment: SPK_SERVER, SPK_AGENT_TOKEN (or SPK_AGENT_TOKEN_FILE), SPK_DATA_DIR, SPK_HOST_ID,
      SPK_POLL_INTERVAL_MS (poll while the push stream is down; default: the core's interval),
      SPK_HEARTBEAT_MS (the heartbeat interval assumed until the core's first event says its own,
      default 15000; no event for 2.5 of them means the stream is dead). Prefer SPK_AGENT_TOKEN or a token file to --token: flags
      show in \`ps\`.
      While the core cannot be reached, or refuses the token (revoked), the agent keeps its
      current tree, logs why, and retries (a refused token once a minute: replace it and
      restart). Exit: 0 after SIGTERM/SIGINT, 1 if it cannot start (data dir locked or
      unusable), 2 on missing or invalid settings.
  spk-agent run <file> [--data-dir DIR] [--timeout SECONDS] [--json]
      Run a script (.mjs, .cjs or .js) against this host's current tree and print what it
      printed and its result, exactly like \`spk run\` on a core instance.
  spk-agent --help | --version
`;

const daemonOptions = {
  server: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  'data-dir': { type: 'string' },
  'host-id': { type: 'string' },
  'poll-interval-ms': { type: 'string' },
  'heartbeat-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

const runOptions = {
  'data-dir': { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    // Node's message names the unknown or malformed option; the usage says what exists.
    throw new UsageError((error as Error).message);
  }
}

export function parseAgentArgs(argv: readonly string[]): AgentCommand {
  const args = [...argv];
  if (args[0] === 'run') {
    const { values, positionals } = usageErrors(() => parseArgs({ args: args.slice(1), options: runOptions, allowPositionals: true, strict: true }));
    if (values.help) return { kind: 'help' };
    if (positionals.length !== 1) throw new UsageError(`spk-agent run takes exactly one script file, got ${positionals.length}`);
    return {
      kind: 'run',
      file: positionals[0]!,
      json: values.json === true,
      ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
      ...(values.timeout === undefined ? {} : { timeoutSeconds: values.timeout }),
    };
  }
  const { values, positionals } = usageErrors(() => parseArgs({ args, options: daemonOptions, allowPositionals: true, strict: true }));
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (positionals.length > 0) throw new UsageError(`unknown command "${positionals[0]}"; the commands are: spk-agent (the daemon) and spk-agent run <file>`);
  const flags: DaemonFlags = {};
  if (values.server !== undefined) flags.server = values.server;
  if (values.token !== undefined) flags.token = values.token;
  if (values['token-file'] !== undefined) flags.tokenFile = values['token-file'];
  if (values['data-dir'] !== undefined) flags.dataDir = values['data-dir'];
  if (values['host-id'] !== undefined) flags.hostId = values['host-id'];
  if (values['poll-interval-ms'] !== undefined) flags.pollIntervalMs = values['poll-interval-ms'];
  if (values['heartbeat-ms'] !== undefined) flags.heartbeatMs = values['heartbeat-ms'];
  return { kind: 'daemon', flags };
}
