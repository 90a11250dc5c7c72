// A typed oRPC client of a spawned server, and one install through it: trigger, wait until it
// settles, require that it succeeded. What the server's end-to-end tests do before anything else.
import { createORPCClient } from '@orpc/client';
import { RPCLink } from '@orpc/client/fetch';
import type { ContractRouterClient } from '@orpc/contract';
import { expect } from 'vitest';
import { RPC_PREFIX, type contract, type Manifest } from '@spk/common';
import type { SpawnedServer } from '@spk/tools';

export type ServerClient = ContractRouterClient<typeof contract>;

/** A client acting as whoever `token` is (the server's admin token by default). */
export function serverClient(server: SpawnedServer, token: string = server.token): ServerClient {
  return createORPCClient<ServerClient>(new RPCLink({ url: `${server.url}${RPC_PREFIX}`, headers: { authorization: `Bearer ${token}` } }));
}

/** Installs the declared set; the committed hash and manifest (hosts may still be converging). */
export async function settledInstall(client: ServerClient): Promise<{ lockfileHash: string; manifest: Manifest }> {
  expect((await client.install.trigger()).started).toBe(true);
  let state = await client.install.state();
  while (state.status === 'installing') {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await client.install.state();
  }
  expect(state.error).toBeNull();
  expect(state.lockfileHash).toMatch(/^[a-f0-9]{64}$/);
  return { lockfileHash: state.lockfileHash!, manifest: state.manifest };
}
