// The typed oRPC client of the contract's `agent.*` procedures, authenticated with the satellite
// token. The agent never talks to the core any other way, except blob downloads (blob-fetch.ts).
import { createORPCClient } from '@orpc/client';
import { RPCLink } from '@orpc/client/fetch';
import type { ContractRouterClient } from '@orpc/contract';
import { RPC_PREFIX, type contract } from '@spk/common';

export type AgentClient = ContractRouterClient<typeof contract>['agent'];

export function createAgentClient(connection: { serverUrl: string; token: string }): AgentClient {
  const link = new RPCLink({ url: `${connection.serverUrl}${RPC_PREFIX}`, headers: { authorization: `Bearer ${connection.token}` } });
  return createORPCClient<ContractRouterClient<typeof contract>>(link).agent;
}
