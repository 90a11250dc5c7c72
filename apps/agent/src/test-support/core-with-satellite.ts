// A real core instance for agent integration tests: spawned with its own data dir, pointed at the
// fixture registry, with a satellite identity created; plus the REST calls the tests need
// (declare a package, install and wait for the commit).
import { inject } from 'vitest';
import { spawnServer, type SpawnedServer, type SpawnServerOptions } from '@spk/tools';

/** The core's push-stream heartbeat in these tests; agents are told the same (SPK_HEARTBEAT_MS). */
export const TEST_HEARTBEAT_MS = 500;
export const TEST_POLL_MS = 1_000;
export const agentTestEnv = { SPK_POLL_INTERVAL_MS: String(TEST_POLL_MS), SPK_HEARTBEAT_MS: String(TEST_HEARTBEAT_MS) };

export interface TestCore {
  server: SpawnedServer;
  api<T>(method: string, route: string, body?: unknown, bearer?: string): Promise<T>;
  createSatellite(name: string): Promise<string>;
  addPackage(name: string, range?: string): Promise<void>;
  /** Triggers an install of a changed set and waits for its commit; returns the new hash. */
  install(): Promise<string>;
}

export async function startTestCore(options: SpawnServerOptions = {}): Promise<TestCore> {
  const server = await spawnServer({ ...options, env: { SPK_POLL_INTERVAL_MS: String(TEST_POLL_MS), SPK_AGENT_HEARTBEAT_MS: String(TEST_HEARTBEAT_MS), ...options.env } });
  return wrapTestCore(server, true);
}

/** The REST helpers for `server`; `configure` also points it at the fixture registry. */
export async function wrapTestCore(server: SpawnedServer, configure = false): Promise<TestCore> {
  const api = async <T>(method: string, route: string, body?: unknown, bearer = server.token): Promise<T> => {
    const response = await fetch(`${server.url}/api${route}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${route}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  if (configure) await api('PUT', '/registry', { url: inject('registryUrl'), token: inject('registryToken') });
  return {
    server,
    api,
    createSatellite: async (name) => (await api<{ token: string }>('POST', '/satellites', { name })).token,
    addPackage: async (name, range) => void (await api('POST', '/packages', { name, ...(range ? { range } : {}) })),
    async install() {
      const before = (await api<{ lockfileHash: string | null }>('GET', '/install')).lockfileHash;
      await api('POST', '/install', {});
      for (let i = 0; i < 600; i++) {
        const state = await api<{ status: string; lockfileHash: string | null; error: { message: string } | null }>('GET', '/install');
        if (state.error) throw new Error(`install failed: ${state.error.message}`);
        if (state.status === 'idle' && state.lockfileHash && state.lockfileHash !== before) return state.lockfileHash;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the install did not commit within 60 s');
    },
  };
}
