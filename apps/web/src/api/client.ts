// The console's typed client of the contract: oRPC over fetch to this page's own origin, with the
// signed-in token on every call. Streams (install.watch, hosts.watch) come back as async iterators.
import { createORPCClient } from '@orpc/client';
import { RPCLink } from '@orpc/client/fetch';
import type { ContractRouterClient } from '@orpc/contract';
import { RPC_PREFIX, type contract } from '@spk/common';

export type ApiClient = ContractRouterClient<typeof contract>;

export function createApiClient(token: string, origin: string = window.location.origin): ApiClient {
  const link = new RPCLink({ url: `${origin}${RPC_PREFIX}`, headers: () => ({ authorization: `Bearer ${token}` }) });
  return createORPCClient(link);
}
