// Starts the real server (apps/server/bin/server.mjs) as a child process for tests, on a free
// port with its own data dir, and waits until /healthz answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const SERVER_BIN = path.join(REPO_ROOT, 'apps/server/bin/server.mjs');

export interface SpawnedServer {
  url: string;
  port: number;
  token: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface SpawnServerOptions {
  databaseUrl?: string | undefined;
  dataDir?: string;
  /** Listen on this port (e.g. to restart a server where its clients expect it); default a free one. */
  port?: number;
  token?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Start the server under this umask (e.g. 0o000, to prove it does not depend on the caller's). */
  umask?: number;
}

/**
 * The server's environment: this process's, then the test's settings, then the caller's `env`.
 * SPK_SECRET_KEY is not inherited: exported in a developer's shell, it would make every server use
 * it and fail the tests that expect a generated key file; a test that wants one passes it in `env`.
 */
export function serverEnv(settings: Record<string, string>, given: Record<string, string> | undefined, inherited: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...inherited };
  delete env.SPK_SECRET_KEY;
  return { ...env, ...settings, ...given };
}

export async function spawnServer(options: SpawnServerOptions = {}): Promise<SpawnedServer> {
  const port = options.port ?? (await freePort());
  const ownDataDir = !options.dataDir;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'spk-server-')));
  const token = options.token ?? `test_${randomBytes(16).toString('hex')}`;
  const env = serverEnv(
    { PORT: String(port), HOST: '127.0.0.1', SPK_DATA_DIR: dataDir, SPK_ADMIN_TOKEN: token, LOG_LEVEL: 'warn', DATABASE_URL: options.databaseUrl ?? '' },
    options.env,
  );
  // The shell sets the umask and execs node, so the child's pid is the server's.
  const child =
    options.umask === undefined
      ? spawn(process.execPath, [SERVER_BIN], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('/bin/sh', ['-c', `umask ${options.umask.toString(8).padStart(3, '0')} && exec "$0" "$1"`, process.execPath, SERVER_BIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    port,
    token,
    dataDir,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
