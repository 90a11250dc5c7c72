// Starts the satellite agent (`spk-agent`) as a child process for tests, with its own data dir,
// and reads its JSON-line log so a test can wait for "converged" to a hash; also runs one-shot
// `spk-agent run` commands. By default the TypeScript sources run through tsx; `bin` picks
// another entry (the packed tarball's installed bin).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runProcess, type ProcessResult } from './run-process.ts';
import { REPO_ROOT } from './spawn-server.ts';

export const AGENT_DEV_BIN = path.join(REPO_ROOT, 'apps/agent/bin/spk-agent-dev.mjs');

export interface AgentLogLine {
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

export interface SpawnAgentOptions {
  server: string;
  token: string;
  /** Default: a fresh temp dir, removed by stop(). */
  dataDir?: string;
  hostId?: string;
  /** Extra environment (SPK_POLL_INTERVAL_MS, SPK_HEARTBEAT_MS, SPK_RUN_*...). */
  env?: Record<string, string>;
  /** The bin to start (default: the sources through tsx). */
  bin?: string;
  /** Working directory (default: the repository root). */
  cwd?: string;
}

export interface SpawnedAgent {
  child: ChildProcess;
  dataDir: string;
  /** Everything the agent printed, stdout and stderr. */
  output(): string;
  /** The JSON log lines so far. */
  logs(): AgentLogLine[];
  /** Resolves with the first log line (from `from` on) matching `predicate`; rejects after `timeoutMs` or on exit. */
  waitForLog(predicate: (line: AgentLogLine) => boolean, options?: { timeoutMs?: number; from?: number }): Promise<AgentLogLine>;
  /** Waits for a 'converged' line for `lockfileHash` (from the `from`-th log line on). */
  waitForConverged(lockfileHash: string, options?: { timeoutMs?: number; from?: number }): Promise<AgentLogLine>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The caller's environment minus anything that would point the agent elsewhere. */
function agentEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('SPK_')) delete env[name];
  return { ...env, ...extra };
}

export async function spawnAgent(options: SpawnAgentOptions): Promise<SpawnedAgent> {
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'spk-agent-')));
  const env = agentEnv({
    SPK_SERVER: options.server,
    SPK_AGENT_TOKEN: options.token,
    SPK_DATA_DIR: dataDir,
    ...(options.hostId ? { SPK_HOST_ID: options.hostId } : {}),
    ...options.env,
  });
  const child = spawn(process.execPath, [options.bin ?? AGENT_DEV_BIN], { cwd: options.cwd ?? REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let pending = '';
  const lines: AgentLogLine[] = [];
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (data: Buffer) => {
    output += data;
    pending += data;
    const complete = pending.split('\n');
    pending = complete.pop()!;
    for (const text of complete) {
      try {
        lines.push(JSON.parse(text) as AgentLogLine);
      } catch {
        // not a log line
      }
    }
    for (const listener of listeners) listener();
  });
  child.stderr!.on('data', (data) => (output += data));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (resolve(code), listeners.forEach((l) => l()))));

  const waitForLog: SpawnedAgent['waitForLog'] = (predicate, { timeoutMs = 60_000, from = 0 } = {}) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.slice(from).find(predicate);
        if (found) return done(() => resolve(found));
        if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`the agent exited (${child.exitCode ?? child.signalCode}) before the expected log line:\n${output}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no matching agent log line within ${timeoutMs} ms:\n${output}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });

  return {
    child,
    dataDir,
    output: () => output,
    logs: () => [...lines],
    waitForLog,
    waitForConverged: (lockfileHash, options) => waitForLog((line) => line.msg === 'converged' && line.lockfileHash === lockfileHash, options),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

export type AgentCommandResult = ProcessResult;

/** Runs `spk-agent <args>` to the end (e.g. `run script.cjs --json`), with only the given SPK_* variables. */
export function runAgentCommand(args: string[], options: { env?: Record<string, string>; bin?: string; cwd?: string } = {}): Promise<AgentCommandResult> {
  return runProcess(process.execPath, [options.bin ?? AGENT_DEV_BIN, ...args], { cwd: options.cwd ?? REPO_ROOT, env: agentEnv(options.env ?? {}) });
}
