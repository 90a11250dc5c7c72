// The declared set as a table (inside a wrapper that scrolls sideways on a narrow window).
import type { PackageList } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { shortHash } from '../ui/format.ts';
import { PackageRow } from './package-row.tsx';

export function PackagesTable({ list, onChanged }: { list: PackageList; onChanged(announcement: string): void }) {
  const { can } = useSession();
  if (list.packages.length === 0) {
    return <p className="empty">No packages are declared yet.{can('manage') ? ' Add one below.' : ''}</p>;
  }
  return (
    <>
      <p className="tree-note">
        {list.lockfileHash ? (
          <>
            Desired tree <code>{shortHash(list.lockfileHash)}</code>; this host (<code>{list.host.hostId}</code>) runs{' '}
            {list.host.lockfileHash ? <code>{shortHash(list.host.lockfileHash)}</code> : 'no tree yet'}.
          </>
        ) : (
          'Nothing is installed yet.'
        )}
      </p>
      <div className="table-scroll">
        <table className="packages-table" aria-label="Declared packages">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Declared range</th>
              <th scope="col">Resolved version</th>
              <th scope="col">Size</th>
              <th scope="col">Types</th>
              <th scope="col">Deprecated</th>
              <th scope="col">State</th>
              <th scope="col">On this host</th>
              {can('manage') && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {list.packages.map((pkg) => (
              <PackageRow key={pkg.name} pkg={pkg} onChanged={onChanged} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
