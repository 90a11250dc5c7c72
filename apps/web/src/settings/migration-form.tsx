// Starting a storage migration to another configured store. Where the server has a single store
// there is nowhere to migrate to, and the form says so instead of offering an empty choice.
import { useId, useState, type FormEvent } from 'react';
import type { StorageMigrateInput, StorageState } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { useAction } from '../ui/hooks.ts';

type DeleteChoice = 'default' | 'keep' | 'delete';

export function MigrationForm({ state, running, onStarted }: { state: StorageState; running: boolean; onStarted(state: StorageState): void }) {
  const { client } = useSession();
  const id = useId();
  const targets = state.availableStores.filter((store) => store !== state.activeStore);
  const [target, setTarget] = useState(targets[0] ?? '');
  const [deleteChoice, setDeleteChoice] = useState<DeleteChoice>('default');
  const starting = useAction((input: StorageMigrateInput) => client.storage.migrate(input));

  if (targets.length === 0) {
    return (
      <p className="not-available">
        Migration not available: this server has only one blob store configured (<code>{state.activeStore}</code>). Configure another store on the
        server to migrate to it.
      </p>
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const input: StorageMigrateInput = { targetStoreId: target };
    if (deleteChoice !== 'default') input.deleteSource = deleteChoice === 'delete';
    const result = await starting.run(input);
    if (result) onStarted(result);
  }

  return (
    <form className="settings-form" onSubmit={(event) => void submit(event)}>
      <h3>Migrate to another store</h3>
      <p className="muted">Copies every blob, verifies each copy, then makes the target the active store. Installs are refused meanwhile.</p>
      <label htmlFor={`${id}-target`}>Target store</label>
      <select id={`${id}-target`} value={target} onChange={(event) => setTarget(event.target.value)}>
        {targets.map((store) => (
          <option key={store}>{store}</option>
        ))}
      </select>
      <label htmlFor={`${id}-delete`}>Blobs in the old store after the switch</label>
      <select id={`${id}-delete`} value={deleteChoice} onChange={(event) => setDeleteChoice(event.target.value as DeleteChoice)}>
        <option value="default">as the server is configured</option>
        <option value="keep">keep them</option>
        <option value="delete">delete them</option>
      </select>
      <div className="form-actions">
        <button type="submit" disabled={starting.pending || running}>
          Start migration
        </button>
        {running && <span className="muted">A migration is running.</span>}
      </div>
      <ErrorText failure={starting.error} />
    </form>
  );
}
