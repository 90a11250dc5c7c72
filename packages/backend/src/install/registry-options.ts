// Turns the stored registry settings into the flat options npm's libraries read: the one place
// request options are built. The token stays in memory: nothing holding it is ever written to disk.
import type { RegistryCredentials } from '../stores/settings-store.ts';
import { createRegistryAgent } from './registry-agent.ts';

/** npm's "nerf dart": the registry URL without protocol, the key auth options hang off. */
export function nerfDart(url: string): string {
  const u = new URL(url);
  const pathname = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  return `//${u.host}${pathname}`;
}

// One agent per registry and timeout, kept across installs as npm keeps its own (keep-alive
// sockets outlive an install). Settings rarely change, so only a long-unused agent is dropped.
const MAX_AGENTS = 16;
const agents = new Map<string, ReturnType<typeof createRegistryAgent>>();
function agentFor(registry: string, timeoutMs: number) {
  const key = `${registry} ${timeoutMs}`;
  let agent = agents.get(key);
  if (agent) agents.delete(key);
  else agent = createRegistryAgent({ registry, timeoutMs });
  agents.set(key, agent);
  for (const [oldKey, old] of agents) {
    if (agents.size <= MAX_AGENTS) break;
    agents.delete(oldKey);
    old.destroy();
  }
  return agent;
}

export function registryOptions(creds: RegistryCredentials): Record<string, unknown> {
  const registry = creds.url.endsWith('/') ? creds.url : `${creds.url}/`;
  const options: Record<string, unknown> = {
    registry,
    // npm's per-request timer (its default is 5 minutes); the agent applies the same limit to idle sockets.
    timeout: creds.timeoutMs,
    agent: agentFor(registry, creds.timeoutMs),
  };
  if (creds.token) options[`${nerfDart(registry)}:_authToken`] = creds.token;
  return options;
}
