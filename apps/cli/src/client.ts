// Where the CLI talks to and with which token, and the typed oRPC client for it. Resolution is
// pure apart from reading the token file, which is passed in, so precedence is unit-tested.
import path from 'node:path';
import { createORPCClient } from '@orpc/client';
import { RPCLink } from '@orpc/client/fetch';
import type { ContractRouterClient } from '@orpc/contract';
import { ADMIN_TOKEN_FILE, DEFAULT_DATA_DIR, DEFAULT_SERVER_HOST, DEFAULT_SERVER_PORT, RPC_PREFIX, type contract } from '@spk/common';
import { UsageError, type GlobalOptions } from './args.ts';

export type SpkClient = ContractRouterClient<typeof contract>;

export type Env = Readonly<Record<string, string | undefined>>;

/** Where the token came from, for messages. Never holds the token itself. */
export type TokenSource =
  | { kind: 'flag' }
  | { kind: 'env'; name: 'SPK_TOKEN' }
  | { kind: 'file'; path: string }
  | { kind: 'none'; path: string; reason: string };

export interface Connection {
  serverUrl: string;
  /** Which setting chose the URL, for the "cannot reach" message. */
  serverSource: '--server' | 'SPK_SERVER' | 'default';
  token: string | null;
  tokenSource: TokenSource;
}

export interface ResolveDeps {
  env: Env;
  cwd: string;
  /** File contents, or null when the file does not exist; other failures throw. */
  readFile(filePath: string): Promise<string | null>;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A listen address as a host to connect to: wildcard binds mean "this machine". */
function connectHost(host: string): string {
  if (host === '0.0.0.0') return DEFAULT_SERVER_HOST;
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function normalizeServerUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${source} must be an http(s) URL such as http://127.0.0.1:3000, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source} must be an http(s) URL, got "${raw}"`);
  }
  if (url.username || url.password) throw new UsageError(`${source} must not contain credentials; use --token or SPK_TOKEN`);
  return url.href.replace(/\/+$/, '');
}

export function resolveServerUrl(flags: Pick<GlobalOptions, 'server'>, env: Env): Pick<Connection, 'serverUrl' | 'serverSource'> {
  if (flags.server !== undefined) return { serverUrl: normalizeServerUrl(flags.server, '--server'), serverSource: '--server' };
  const fromEnv = nonEmpty(env.SPK_SERVER);
  if (fromEnv) return { serverUrl: normalizeServerUrl(fromEnv, 'SPK_SERVER'), serverSource: 'SPK_SERVER' };
  const host = connectHost(nonEmpty(env.HOST) ?? DEFAULT_SERVER_HOST);
  const port = nonEmpty(env.PORT) ?? String(DEFAULT_SERVER_PORT);
  return { serverUrl: normalizeServerUrl(`http://${host}:${port}`, 'HOST/PORT'), serverSource: 'default' };
}

export function resolveTokenFilePath(flags: Pick<GlobalOptions, 'dataDir'>, env: Env, cwd: string): string {
  const dataDir = nonEmpty(flags.dataDir) ?? nonEmpty(env.SPK_DATA_DIR) ?? DEFAULT_DATA_DIR;
  return path.resolve(cwd, dataDir, ADMIN_TOKEN_FILE);
}

export async function resolveToken(
  flags: Pick<GlobalOptions, 'token' | 'dataDir'>,
  deps: ResolveDeps,
): Promise<Pick<Connection, 'token' | 'tokenSource'>> {
  if (flags.token !== undefined) return { token: flags.token, tokenSource: { kind: 'flag' } };
  const fromEnv = nonEmpty(deps.env.SPK_TOKEN);
  if (fromEnv) return { token: fromEnv, tokenSource: { kind: 'env', name: 'SPK_TOKEN' } };
  const filePath = resolveTokenFilePath(flags, deps.env, deps.cwd);
  let contents: string | null;
  try {
    contents = await deps.readFile(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { token: null, tokenSource: { kind: 'none', path: filePath, reason: `cannot be read (${code})` } };
  }
  if (contents === null) return { token: null, tokenSource: { kind: 'none', path: filePath, reason: 'does not exist' } };
  const token = contents.trim();
  if (token === '') return { token: null, tokenSource: { kind: 'none', path: filePath, reason: 'is empty' } };
  return { token, tokenSource: { kind: 'file', path: filePath } };
}

export async function resolveConnection(flags: GlobalOptions, deps: ResolveDeps): Promise<Connection> {
  return { ...resolveServerUrl(flags, deps.env), ...(await resolveToken(flags, deps)) };
}

/**
 * Without a token we still call: the server then says 401 and the message explains where we
 * looked, while an unreachable server is reported as such rather than as a token problem.
 */
export function createSpkClient(connection: Pick<Connection, 'serverUrl' | 'token'>): SpkClient {
  const headers: Record<string, string> = connection.token ? { authorization: `Bearer ${connection.token}` } : {};
  const link = new RPCLink({ url: `${connection.serverUrl}${RPC_PREFIX}`, headers });
  return createORPCClient<SpkClient>(link);
}
