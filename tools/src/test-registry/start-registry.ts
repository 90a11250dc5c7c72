// Starts a real npm registry (Verdaccio) on loopback for tests and demos: fresh temp storage and
// config per start, no uplinks, quiet logs. Verdaccio runs in a child process so the caller's
// process (a vitest worker, the global setup) stays free of its globals and handles. Optionally a
// private registry: scopes only one user may read, that user created with a random password.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addRegistryUser } from './add-user.ts';
import { packFixture } from './pack-fixture.ts';
import { publishPackage, type PublishInput, type PublishOptions } from './publish-package.ts';
import { buildVerdaccioConfig, type PrivateScopes, type RegistryLogLevel } from './verdaccio-config.ts';
import { digestTarball } from './tarball-digests.ts';
import type { RegistryChildMessage } from './verdaccio-process.ts';

export interface StartTestRegistryOptions {
  /** Verdaccio log level; `warn` keeps test output quiet but shows real problems. */
  logLevel?: RegistryLogLevel;
  /** Give up (and kill the child) if Verdaccio is not listening by then. */
  startTimeoutMs?: number;
  /** Where Verdaccio's log lines go; defaults to this process's stderr. */
  onLog?: (line: string) => void;
  /**
   * Scopes only one user may read and publish, e.g. `{ '@spk-corp': 'corp' }`: anyone else (another
   * user, a wrong token, no token) is refused. Each user is created with a random password and
   * handed back in `users`. Everything else stays readable by anyone, and there are still no uplinks.
   */
  privateScopes?: PrivateScopes;
}

/** A registry user the registry was started with, and its credentials (test secrets). */
export interface RegistryUser {
  name: string;
  password: string;
  /** Bearer token issued at creation (`_authToken`). */
  token: string;
}

/** What a publish stored, for assertions against the registry's answers. */
export interface PublishedPackage {
  name: string;
  version: string;
  integrity: string;
  shasum: string;
  size: number;
}

/** A package to publish: a fixture folder, or a manifest and its tarball (digests computed if absent). */
export type PublishSource = string | (Pick<PublishInput, 'manifest' | 'tarball'> & Partial<PublishInput>);

export interface TestRegistry {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  storageDir: string;
  configDir: string;
  /** The users of `privateScopes`, by name; empty without it. */
  users: Readonly<Record<string, RegistryUser>>;
  publish(source: PublishSource, options?: PublishOptions): Promise<PublishedPackage>;
  /** Creates a user and returns its bearer token. */
  addUser(name: string, password: string): Promise<string>;
  /** Kills the server and removes its temp directories. Safe to call twice. */
  stop(): Promise<void>;
}

const CHILD_ENTRY = fileURLToPath(new URL('./verdaccio-process.ts', import.meta.url));
// The child is TypeScript run through tsx; resolving `--import tsx` from our own package keeps it
// independent of the caller's working directory.
const TOOLS_DIR = fileURLToPath(new URL('../..', import.meta.url));
const LOG_TAIL_CHARS = 16_384;

export async function startTestRegistry(options: StartTestRegistryOptions = {}): Promise<TestRegistry> {
  const rootDir = await mkdtemp(path.join(os.tmpdir(), 'spk-registry-'));
  const configDir = path.join(rootDir, 'config');
  const storageDir = path.join(rootDir, 'storage');
  try {
    await mkdir(configDir);
    await mkdir(storageDir);
    const configPath = path.join(configDir, 'config.yaml');
    const config = buildVerdaccioConfig({
      storageDir,
      htpasswdFile: path.join(configDir, 'htpasswd'),
      logLevel: options.logLevel ?? 'warn',
      ...(options.privateScopes ? { privateScopes: options.privateScopes } : {}),
    });
    // JSON is valid YAML, and Verdaccio only accepts config files named *.yaml.
    await writeFile(configPath, JSON.stringify(config, null, 2));

    const child = spawn(process.execPath, ['--import', 'tsx', CHILD_ENTRY, configPath, rootDir], {
      cwd: TOOLS_DIR,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const onLog = options.onLog ?? writeToStderr;
    const port = await waitForListening(child, options.startTimeoutMs ?? 30_000, onLog);
    const url = `http://127.0.0.1:${port}`;
    let stopping = false;
    // Tests would only see "connection refused"; say why the registry went away.
    child.once('exit', (code, signal) => {
      if (!stopping) onLog(`verdaccio exited unexpectedly (code ${code}, signal ${signal})`);
    });
    const stop = once(async () => {
      stopping = true;
      await killChild(child);
      await rm(rootDir, { recursive: true, force: true });
    });
    let users: Record<string, RegistryUser>;
    try {
      users = await createScopeUsers(url, options.privateScopes ?? {});
    } catch (error) {
      await stop();
      throw error;
    }
    return {
      url,
      port,
      storageDir,
      configDir,
      users,
      publish: (source, publishOptions) => publish(url, source, publishOptions),
      addUser: (name, password) => addRegistryUser(url, name, password),
      stop,
    };
  } catch (error) {
    await rm(rootDir, { recursive: true, force: true });
    throw error;
  }
}

/** One user per distinct name in `privateScopes`, each with a fresh random password. */
async function createScopeUsers(url: string, privateScopes: PrivateScopes): Promise<Record<string, RegistryUser>> {
  const users: Record<string, RegistryUser> = {};
  for (const name of new Set(Object.values(privateScopes))) {
    const password = randomBytes(18).toString('base64url');
    users[name] = { name, password, token: await addRegistryUser(url, name, password) };
  }
  return users;
}

async function publish(url: string, source: PublishSource, options?: PublishOptions): Promise<PublishedPackage> {
  const input: PublishInput = typeof source === 'string' ? await packFixture(source) : withDigests(source);
  await publishPackage(url, input, options);
  const { name, version } = input.manifest;
  return { name, version, integrity: input.integrity, shasum: input.shasum, size: input.tarball.length };
}

// Caller-given digests win even if wrong: tests publish lying metadata on purpose to prove that
// a mismatching tarball is refused downstream.
function withDigests(source: Exclude<PublishSource, string>): PublishInput {
  const computed = digestTarball(source.tarball);
  return { ...source, integrity: source.integrity ?? computed.integrity, shasum: source.shasum ?? computed.shasum };
}

// Resolves with the port the child reports; rejects with the child's last log lines if it exits
// or times out first, because "registry did not start" alone is undebuggable.
function waitForListening(child: ChildProcess, timeoutMs: number, onLog: (line: string) => void): Promise<number> {
  let tail = '';
  let started = false;
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (started) {
      for (const line of text.split('\n')) if (line.trim()) onLog(line);
    } else {
      tail = (tail + text).slice(-LOG_TAIL_CHARS);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  return new Promise<number>((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`test registry did not start: ${reason}\n${tail}`));
    };
    const timer = setTimeout(() => fail(`not listening after ${timeoutMs} ms`), timeoutMs);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => {
      if (!started) fail(`exited early (code ${code}, signal ${signal})`);
    });
    child.on('message', (message: RegistryChildMessage) => {
      if (message.type !== 'listening' || started) return;
      started = true;
      clearTimeout(timer);
      // Whatever was logged during startup is still worth seeing.
      for (const line of tail.split('\n')) if (line.trim()) onLog(line);
      resolve(message.port);
    });
  });
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const escalate = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(escalate);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

function writeToStderr(line: string): void {
  process.stderr.write(`[test-registry] ${line}\n`);
}
