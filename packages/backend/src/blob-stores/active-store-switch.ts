// Switching the active blob store (where installs publish). Reads follow the blob index, but a
// switch to a store that lacks blobs of the desired state would make "active" a lie the next GC or
// migration acts on, so it is refused until the target holds every one of them. Taking the
// installer lock keeps an install (or GC, or a migration) from running while the switch is decided.
import { mapConcurrent } from '@spk/reconciler';
import { SpkError } from '@spk/common';
import type { OperationLock } from '../install/operation-lock.ts';
import type { Logger } from '../services.ts';
import type { InstallStateStore } from '../stores/install-state-store.ts';
import type { SettingsStore } from '../stores/settings-store.ts';
import type { BlobStore, BlobStoreRegistry } from './blob-store.ts';

export interface ActiveStoreSwitchDeps {
  settings: Pick<SettingsStore, 'getActiveStoreId' | 'setActiveStoreId'>;
  state: Pick<InstallStateStore, 'readDesired'>;
  blobStores: BlobStoreRegistry;
  operations: Pick<OperationLock, 'begin'>;
  logger: Logger;
}

/** The integrities among `needed` that `store` does not hold. */
async function missingFrom(store: BlobStore, needed: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  await mapConcurrent([...new Set(needed)], 8, async (integrity) => {
    if (!(await store.has(integrity))) missing.push(integrity);
  });
  return missing;
}

export function createActiveStoreSwitch(deps: ActiveStoreSwitchDeps) {
  const log = deps.logger.child({ component: 'blob-stores' });
  return {
    /** Makes `storeId` the active store; STORE_INCOMPLETE when it lacks blobs of the desired state. */
    async set(storeId: string): Promise<void> {
      const target = deps.blobStores.get(storeId);
      const lease = await deps.operations.begin('store switch');
      try {
        const current = await deps.settings.getActiveStoreId();
        if (current === storeId) return;
        const desired = await deps.state.readDesired();
        const needed = [...new Set((desired?.manifest ?? []).map((entry) => entry.integrity))];
        const missing = await missingFrom(target, needed);
        if (missing.length > 0) {
          throw new SpkError(
            'STORE_INCOMPLETE',
            `the "${storeId}" blob store lacks ${missing.length} of the ${needed.length} blobs the desired state needs (e.g. ${missing[0]}), ` +
              `so "${current}" stays active; copy the blobs into it first with a storage migration (docs/operations.md, "Blob stores"), ` +
              'or switch before the first install',
            { storeId, activeStore: current, missing: missing.length, needed: needed.length },
          );
        }
        await deps.settings.setActiveStoreId(storeId);
        log.info({ from: current, to: storeId, blobs: needed.length }, 'active blob store switched');
      } finally {
        await lease.release();
      }
    },
  };
}

export type ActiveStoreSwitch = ReturnType<typeof createActiveStoreSwitch>;
