// A backend (PGlite) with a bench's package set declared on the set's registry: one central install
// commits it, and the committed blobs are read back from the PostgreSQL blob store, so benches get
// the set's real tarballs and manifest from the real installer.
import { createPostgresBlobStore } from '@spk/backend';
import { createTestBackend, type TestBackend } from '@spk/backend/testing';
import { parsePackageSpec, type InstallState, type ManifestEntry } from '@spk/common';
import type { PackageSource } from './bench-support.ts';

export type CommittedState = InstallState & { lockfileHash: string };

export interface SetBackend extends TestBackend {
  /** Installs the declared packages now; throws unless the install committed. */
  install(): Promise<CommittedState>;
  /** The published tarball of every entry, by integrity. */
  readBlobs(entries: readonly ManifestEntry[]): Promise<Map<string, Uint8Array>>;
}

export async function openSetBackend(source: PackageSource): Promise<SetBackend> {
  const t = await createTestBackend('pglite', { registry: { url: source.registryUrl, ...(source.token ? { token: source.token } : {}) } });
  try {
    for (const spec of source.packages) await t.client.packages.add(parsePackageSpec(spec));
  } catch (error) {
    await t.close();
    throw error;
  }
  return {
    ...t,
    async install() {
      await t.client.install.trigger();
      await t.backend.installer.idle();
      const state = await t.client.install.state();
      if (state.status !== 'idle' || !state.lockfileHash) throw new Error(`install failed: ${state.error?.message}`);
      return { ...state, lockfileHash: state.lockfileHash };
    },
    async readBlobs(entries) {
      const store = createPostgresBlobStore(t.database.db);
      const blobs = new Map<string, Uint8Array>();
      for (const { integrity } of entries) {
        if (blobs.has(integrity)) continue;
        const bytes = await store.get(integrity);
        if (!bytes) throw new Error(`the install committed ${integrity} but the blob store does not hold it`);
        blobs.set(integrity, bytes);
      }
      return blobs;
    },
  };
}
