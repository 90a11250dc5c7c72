// The Hosts section: every core instance and satellite against the desired tree, live. Both the host
// reports (hosts.watch) and the desired hash (install.watch) are followed, so a new install turns
// converged hosts to lagging and back without a reload.
import { useSession } from '../session/session.tsx';
import { useStream } from '../ui/hooks.ts';
import { shortHash } from '../ui/format.ts';
import { convergenceSummary } from './host-state.ts';
import { HostsTable } from './hosts-table.tsx';
import { StreamIndicator } from './stream-indicator.tsx';
import { useNow } from './use-now.ts';

export function HostsPage() {
  const { client } = useSession();
  const hosts = useStream((signal) => client.hosts.watch(undefined, { signal }), [client]);
  const install = useStream((signal) => client.install.watch(undefined, { signal }), [client]);
  const now = useNow();
  const desiredHash = install.latest ? install.latest.lockfileHash : undefined;
  const list = hosts.latest?.hosts ?? [];

  return (
    <>
      <div className="panel-head">
        <h1 id="hosts-title">Hosts</h1>
        <StreamIndicator stream={hosts} label="Host updates" />
      </div>
      <p className="muted">
        Desired tree: <code>{desiredHash === undefined ? '…' : desiredHash ? shortHash(desiredHash) : 'none yet'}</code>. A host is stale when it missed
        several reports in a row: stopped, hung or cut off.
      </p>
      {!hosts.latest || desiredHash === undefined ? (
        <p className="muted">Reading the hosts…</p>
      ) : list.length === 0 ? (
        <p>No host has reported yet.</p>
      ) : (
        <>
          <p aria-live="polite">{convergenceSummary(list, desiredHash)}.</p>
          <HostsTable hosts={list} desiredHash={desiredHash} now={now} />
        </>
      )}
    </>
  );
}
