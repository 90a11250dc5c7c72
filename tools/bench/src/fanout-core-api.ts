// The calls the fan-out bench makes on its core, over the REST routes with the admin token: declare
// packages, install and wait for the commit, create satellites.
import type { InstallState } from '@spk/common';

export interface CommittedState {
  lockfileHash: string;
  manifest: InstallState['manifest'];
  committedAt: Date;
}

export interface CoreApi {
  setRegistry(url: string, token: string | undefined): Promise<void>;
  packageNames(): Promise<string[]>;
  addPackage(spec: { name: string; range?: string }): Promise<void>;
  removePackage(name: string): Promise<void>;
  /** Triggers an install and waits until it committed; refuses a stale commit from before the trigger. */
  installAndCommit(): Promise<CommittedState>;
  /** Creates a satellite identity and returns its token. */
  createSatellite(name: string): Promise<string>;
}

export function createCoreApi(url: string, token: string): CoreApi {
  async function call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${url}/api${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }

  return {
    async setRegistry(registryUrl, registryToken) {
      await call('PUT', '/registry', { url: registryUrl, ...(registryToken ? { token: registryToken } : {}) });
    },
    async packageNames() {
      const { packages } = await call<{ packages: Array<{ name: string }> }>('GET', '/packages');
      return packages.map((p) => p.name);
    },
    async addPackage(spec) {
      await call('POST', '/packages', spec);
    },
    async removePackage(name) {
      await call('DELETE', `/packages/${name}`);
    },
    async installAndCommit() {
      const triggeredAt = Date.now();
      await call('POST', '/install', {});
      for (;;) {
        const state = await call<InstallState>('GET', '/install');
        if (state.status === 'failed') throw new Error(`install failed: ${state.error?.code} ${state.error?.message}`);
        if (state.status === 'idle' && state.lockfileHash && state.committedAt) {
          const committedAt = new Date(state.committedAt);
          // Whole-second clocks in the database may put the commit a little before our trigger.
          if (committedAt.getTime() < triggeredAt - 1000) throw new Error('the install finished without committing a new desired state');
          return { lockfileHash: state.lockfileHash, manifest: state.manifest, committedAt };
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async createSatellite(name) {
      return (await call<{ token: string }>('POST', '/satellites', { name })).token;
    },
  };
}
