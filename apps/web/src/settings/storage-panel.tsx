// The Storage panel: which blob store is active, how many blobs each store holds, and the running
// (else last) migration, refreshed every second while it runs. With `manage`, a migration can start.
import { useEffect, useState } from 'react';
import { ACTIVE_MIGRATION_STATUSES, type StorageState } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { formatBytes } from '../ui/format.ts';
import { useApi } from '../ui/hooks.ts';
import { MigrationForm } from './migration-form.tsx';
import { MigrationProgress } from './migration-progress.tsx';
import { useRefreshWhile } from './use-refresh-while.ts';

export function StoragePanel({ manage, pollMs = 1000 }: { manage: boolean; pollMs?: number }) {
  const { client } = useSession();
  const loaded = useApi(() => client.storage.state(), [client]);
  // A migration's start answer is newer than the last load until the next load arrives.
  const [started, setStarted] = useState<StorageState | null>(null);
  useEffect(() => setStarted(null), [loaded.data]);
  const state = started ?? loaded.data;
  const running = state?.migration ? ACTIVE_MIGRATION_STATUSES.includes(state.migration.status) : false;
  useRefreshWhile(running, loaded.reload, pollMs);

  return (
    <section className="settings-panel" aria-labelledby="settings-storage">
      <h2 id="settings-storage">Storage</h2>
      <ErrorText failure={loaded.error} />
      {loaded.loading && !state && <p aria-live="polite">Loading the storage state…</p>}
      {state && (
        <>
          <dl className="facts">
            <dt>Active store</dt>
            <dd>
              <code>{state.activeStore}</code>
            </dd>
            <dt>Configured stores</dt>
            <dd>{state.availableStores.join(', ')}</dd>
            <dt>Indexed blobs</dt>
            <dd>
              {state.blobCount} ({formatBytes(state.totalBytes)})
            </dd>
          </dl>
          {state.stores.length === 0 ? (
            <p>No blobs stored yet.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Blobs per store">
                <thead>
                  <tr>
                    <th scope="col">Store</th>
                    <th scope="col">Blobs</th>
                    <th scope="col">Size</th>
                  </tr>
                </thead>
                <tbody>
                  {state.stores.map((store) => (
                    <tr key={store.id}>
                      <td>
                        {store.id}
                        {store.id === state.activeStore && <span className="badge">active</span>}
                      </td>
                      <td className="num">{store.blobs}</td>
                      <td className="num">{formatBytes(store.bytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {state.migration ? <MigrationProgress migration={state.migration} /> : <p>No migration has run.</p>}
          {manage && <MigrationForm key={state.activeStore} state={state} running={running} onStarted={setStarted} />}
        </>
      )}
    </section>
  );
}
