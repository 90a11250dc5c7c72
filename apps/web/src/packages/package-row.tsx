// One declared package: what was declared, what the desired tree resolved, and (with manage) the
// enable/disable and remove actions. Removing asks for a confirmation in the row itself.
import { useState } from 'react';
import type { ListedPackage } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { useAction } from '../ui/hooks.ts';
import { PackageFactCells } from './package-facts.tsx';

export interface PackageRowProps {
  pkg: ListedPackage;
  /** After a change went through: reload the list and say what happened. */
  onChanged(announcement: string): void;
}

/** Focus follows the button that replaced the one just pressed, without scrolling the table sideways. */
function focusWithoutScroll(button: HTMLButtonElement | null): void {
  button?.focus({ preventScroll: true });
}

export function PackageRow({ pkg, onChanged }: PackageRowProps) {
  const { client, can } = useSession();
  const [confirming, setConfirming] = useState(false);
  const toggle = useAction(() => client.packages.update({ name: pkg.name, enabled: !pkg.enabled }));
  const remove = useAction(() => client.packages.remove({ name: pkg.name }));
  const busy = toggle.pending || remove.pending;

  async function onToggle(): Promise<void> {
    remove.clearError();
    const result = await toggle.run();
    if (result) onChanged(`${result.enabled ? 'Enabled' : 'Disabled'} ${pkg.name}`);
  }

  async function onRemove(): Promise<void> {
    toggle.clearError();
    const result = await remove.run();
    setConfirming(false);
    if (result) onChanged(`Removed ${pkg.name}`);
  }

  return (
    <tr className={pkg.enabled ? undefined : 'disabled'}>
      <th scope="row">
        <code>{pkg.name}</code>
      </th>
      <td>
        <code>{pkg.range}</code>
      </td>
      <td>{pkg.resolvedVersion ?? <span className="muted">not installed yet</span>}</td>
      <PackageFactCells pkg={pkg} />
      <td>{pkg.enabled ? 'enabled' : 'disabled'}</td>
      <td>{pkg.installed ? 'yes' : 'no'}</td>
      {can('manage') && (
        <td>
          <div className="row-actions">
            {confirming ? (
            <>
              <button type="button" className="danger" ref={focusWithoutScroll} disabled={busy} onClick={() => void onRemove()}>
                Confirm remove <span className="visually-hidden">{pkg.name}</span>
              </button>
              <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          ) : (
            <>
              <button type="button" disabled={busy} onClick={() => void onToggle()}>
                {pkg.enabled ? 'Disable' : 'Enable'} <span className="visually-hidden">{pkg.name}</span>
              </button>
              <button type="button" disabled={busy} onClick={() => setConfirming(true)}>
                Remove <span className="visually-hidden">{pkg.name}</span>
              </button>
            </>
          )}
          </div>
          <ErrorText failure={toggle.error ?? remove.error} />
        </td>
      )}
    </tr>
  );
}
