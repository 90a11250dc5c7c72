// A real server for the console's browser test: the current console build served at / (a private
// copy, see web-snapshot.ts), PGlite, the seeded fixture registry, and a typed client of the
// contract for what the test sets up behind the UI.
import { rm } from 'node:fs/promises';
import { createORPCClient } from '@orpc/client';
import { RPCLink } from '@orpc/client/fetch';
import type { ContractRouterClient } from '@orpc/contract';
import { RPC_PREFIX, type contract } from '@spk/common';
import { spawnServer, type SpawnedServer } from '@spk/tools';
import { waitUntil } from './wait-until.ts';
import { snapshotWebBuild } from './web-snapshot.ts';

export type ServerClient = ContractRouterClient<typeof contract>;

export interface ConsoleServer {
  server: SpawnedServer;
  /** Acting as the server's admin token. */
  admin: ServerClient;
  clientFor(token: string): ServerClient;
  /** Stops the server and removes its copy of the console; the server's exit code. */
  stop(): Promise<number | null>;
}

export function clientFor(server: SpawnedServer, token: string): ServerClient {
  return createORPCClient<ServerClient>(new RPCLink({ url: `${server.url}${RPC_PREFIX}`, headers: { authorization: `Bearer ${token}` } }));
}

/** Builds the console if its sources changed, then starts a server serving a private copy of it and using `registryUrl`. */
export async function startConsoleServer(registryUrl: string): Promise<ConsoleServer> {
  const webDir = await snapshotWebBuild();
  let server: SpawnedServer;
  try {
    server = await spawnServer({ env: { SPK_WEB_DIR: webDir } });
  } catch (error) {
    await rm(webDir, { recursive: true, force: true });
    throw error;
  }
  const admin = clientFor(server, server.token);
  const stop = async () => {
    const code = await server.stop();
    await rm(webDir, { recursive: true, force: true });
    return code;
  };
  try {
    await admin.registry.set({ url: registryUrl, token: null });
    const index = await fetch(`${server.url}/`);
    if (!index.ok || !(index.headers.get('content-type') ?? '').includes('text/html')) {
      throw new Error(`The server does not serve the console at / (${index.status} ${index.headers.get('content-type')}): build apps/web and check the server's static route.\n${server.output()}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, admin, clientFor: (token) => clientFor(server, token), stop };
}

/** Installs through the API, behind the page's back; the new tree's hash once committed. */
export async function installThroughApi(admin: ServerClient, previousHash: string, timeoutMs: number): Promise<string> {
  if (!(await admin.install.trigger()).started) throw new Error('install.trigger did not start an install: another one is running');
  return waitUntil('the install started through the API to commit', async () => {
    const state = await admin.install.state();
    if (state.status === 'failed') throw new Error(`the install failed: ${JSON.stringify(state.error)}`);
    return state.status !== 'installing' && state.lockfileHash && state.lockfileHash !== previousHash ? state.lockfileHash : undefined;
  }, { timeoutMs, intervalMs: 250 });
}
