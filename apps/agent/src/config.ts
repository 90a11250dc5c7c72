// The daemon's settings from flags and environment (a flag wins), checked with zod. A refusal
// names the flag and the variable and says what to give; the token's value is never repeated.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { agentReportSchema } from '@spk/common';
import { installScriptsFromEnv, runSettingsFromEnv, treeGcFromEnv, type InstallScriptsConfig, type TreeGcConfig } from '@spk/reconciler';
import { UsageError, type DaemonFlags } from './args.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface AgentConfig {
  /** The core's base URL, no trailing slash. */
  serverUrl: string;
  token: string;
  dataDir: string;
  hostId: string | undefined;
  /** How often to poll while the push stream is down; undefined: the core's poll interval. */
  pollIntervalMs: number | undefined;
  /** The core's heartbeat interval on the push stream; 2.5 of them without an event is a dead stream. */
  heartbeatMs: number;
  /** Allowed lifecycle scripts: SPK_INSTALL_SCRIPTS_TIMEOUT_MS, and SPK_RUN_AS_USER as for script runs. */
  installScripts: InstallScriptsConfig & { runAsUser?: string };
  /** SPK_TREE_GC_GRACE_MS and SPK_TREE_GC_INTERVAL_MS, as on a core instance. */
  treeGc: TreeGcConfig;
  /**
   * The longest a script run may last (SPK_RUN_MAX_TIMEOUT_MS, read by `spk-agent run` too): a run
   * pin older than that no longer keeps its tree.
   */
  runTimeoutMs: number;
}

export const DEFAULT_HEARTBEAT_MS = 15_000;

const serverUrl = z
  .string()
  .transform((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be an http(s) URL such as https://spk.example.com, got "${raw}"` });
      return z.NEVER;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `must be an http(s) URL, got "${raw}"` });
    if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not contain credentials; the token goes in SPK_AGENT_TOKEN' });
    return url.href.replace(/\/+$/, '');
  });
const millis = (min: number) => z.coerce.number({ message: 'must be a number of milliseconds' }).int().min(min).max(3_600_000);

const fields = {
  serverUrl: { flag: '--server', env: 'SPK_SERVER', schema: serverUrl, missing: 'the core to follow, e.g. https://spk.example.com' },
  token: {
    flag: '--token',
    env: 'SPK_AGENT_TOKEN',
    // The message must not echo the value: it is a secret even when malformed.
    schema: z.string().regex(/^\S+$/, { error: 'must be one word without spaces (the token exactly as `spk satellites create` printed it)' }),
    missing: 'the satellite token that `spk satellites create <name>` printed (or a file holding it: --token-file / SPK_AGENT_TOKEN_FILE)',
  },
  dataDir: { flag: '--data-dir', env: 'SPK_DATA_DIR', schema: z.string().min(1), missing: 'a directory of its own for trees and cache, e.g. /var/lib/spk-agent' },
  hostId: { flag: '--host-id', env: 'SPK_HOST_ID', schema: agentReportSchema.shape.hostId.unwrap(), missing: null },
  pollIntervalMs: { flag: '--poll-interval-ms', env: 'SPK_POLL_INTERVAL_MS', schema: millis(100), missing: null },
  heartbeatMs: { flag: '--heartbeat-ms', env: 'SPK_HEARTBEAT_MS', schema: millis(10), missing: null },
} as const;

type FieldName = keyof typeof fields;
const flagKey: Record<FieldName, keyof DaemonFlags> = {
  serverUrl: 'server',
  token: 'token',
  dataDir: 'dataDir',
  hostId: 'hostId',
  pollIntervalMs: 'pollIntervalMs',
  heartbeatMs: 'heartbeatMs',
};

const nonEmpty = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** The token from a file (argv and the environment can be read by others; a 0600 file need not be). */
function readTokenFile(file: string | undefined, source: string, cwd: string, problems: string[]): string | undefined {
  const name = nonEmpty(file);
  if (name === undefined) return undefined;
  const resolved = path.resolve(cwd, name);
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch (error) {
    problems.push(`${source} cannot read ${resolved} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): give a file the agent's user can read, holding the token`);
    return undefined;
  }
  const token = nonEmpty(text);
  if (token === undefined) problems.push(`${source} ${resolved} is empty: put the token that \`spk satellites create <name>\` printed in it`);
  return token;
}

type HostSettings = Pick<AgentConfig, 'installScripts' | 'treeGc' | 'runTimeoutMs'>;

/** The same variables as on a core instance, read by the reconciler's own schemas; undefined after a problem. */
function readHostSettings(env: Env, problems: string[]): HostSettings | undefined {
  const read = <T>(reader: () => T): T | undefined => {
    try {
      return reader();
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };
  const runs = read(() => runSettingsFromEnv(env));
  const installScripts = read(() => installScriptsFromEnv(env));
  const treeGc = read(() => treeGcFromEnv(env));
  if (!runs || !installScripts || !treeGc) return undefined;
  return {
    installScripts: { ...installScripts, ...(runs.runAsUser ? { runAsUser: runs.runAsUser } : {}) },
    treeGc,
    runTimeoutMs: runs.settings.maxTimeoutMs,
  };
}

/** Resolves every setting, collecting every problem before refusing, so one start shows them all. */
export function loadAgentConfig(flags: DaemonFlags, env: Env, cwd: string): AgentConfig {
  const problems: string[] = [];
  const values: Partial<Record<FieldName, unknown>> = {};
  for (const name of Object.keys(fields) as FieldName[]) {
    const field = fields[name];
    // The token: a flag beats the environment, and at each level the value beats a file naming it.
    const fromFlag = nonEmpty(flags[flagKey[name]]) ?? (name === 'token' ? readTokenFile(flags.tokenFile, '--token-file', cwd, problems) : undefined);
    const fromEnv = fromFlag !== undefined ? undefined : (nonEmpty(env[field.env]) ?? (name === 'token' ? readTokenFile(env.SPK_AGENT_TOKEN_FILE, 'SPK_AGENT_TOKEN_FILE', cwd, problems) : undefined));
    const raw = fromFlag ?? fromEnv;
    const source = fromFlag !== undefined ? field.flag : field.env;
    if (raw === undefined) {
      if (name === 'token' && (nonEmpty(flags.tokenFile) ?? nonEmpty(env.SPK_AGENT_TOKEN_FILE)) !== undefined) continue;
      if (field.missing) problems.push(`${field.flag} / ${field.env} is required: give ${field.missing}`);
      continue;
    }
    const parsed = (field.schema as z.ZodType).safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else problems.push(`${source} ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  const host = readHostSettings(env, problems);
  if (problems.length > 0) throw new UsageError(`cannot start, fix these settings:\n  ${problems.join('\n  ')}`);
  return {
    serverUrl: values.serverUrl as string,
    token: values.token as string,
    dataDir: path.resolve(cwd, values.dataDir as string),
    hostId: values.hostId as string | undefined,
    pollIntervalMs: values.pollIntervalMs as number | undefined,
    heartbeatMs: (values.heartbeatMs as number | undefined) ?? DEFAULT_HEARTBEAT_MS,
    ...host!,
  };
}
