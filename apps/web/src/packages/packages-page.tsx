// The Packages section: the declared set, and (with manage) adding, enabling/disabling and removing
// packages. Declarations change nothing installed until the next install, which the hint says.
import { useState } from 'react';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { useApi } from '../ui/hooks.ts';
import { AddPackageForm } from './add-package-form.tsx';
import { PackagesTable } from './packages-table.tsx';
import './packages.css';

export function PackagesPage() {
  const { client, can } = useSession();
  const list = useApi(() => client.packages.list(), [client]);
  const [announcement, setAnnouncement] = useState('');

  function changed(message: string): void {
    setAnnouncement(message);
    list.reload();
  }

  return (
    <section className="packages-page" aria-labelledby="packages-heading">
      <h1 id="packages-heading">Packages</h1>
      <p className="hint">
        Changes here take effect at the next install: <a href="#/install">go to Install</a> to run one.
      </p>
      <p className="announcement" aria-live="polite" role="status">
        {announcement}
      </p>
      <ErrorText failure={list.error} />
      {list.data ? <PackagesTable list={list.data} onChanged={changed} /> : list.loading && <p className="muted">Loading the declared packages…</p>}
      {can('manage') ? (
        <AddPackageForm onAdded={(result) => changed(`Added ${result.name}`)} />
      ) : (
        <p className="read-only">This token is read-only: it cannot add, change or remove packages.</p>
      )}
    </section>
  );
}
