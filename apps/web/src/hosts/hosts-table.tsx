// One row per host: what it runs against the desired tree, when it got there, when it last spoke,
// its last error word for word and what it holds on disk.
import type { HostStatus } from '@spk/common';
import { formatBytes, formatTime, shortHash } from '../ui/format.ts';
import { classifyHost, timeAgo } from './host-state.ts';

function Kind({ host }: { host: HostStatus }) {
  if (host.kind === 'core' || !host.satellite) return <>core</>;
  const { name, hostname, agentVersion } = host.satellite;
  return (
    <>
      satellite <strong>{name}</strong>
      <div className="muted">
        {hostname} · agent {agentVersion}
      </div>
    </>
  );
}

function Disk({ host }: { host: HostStatus }) {
  if (!host.disk) return <>—</>;
  const { bytes, trees, retiredTrees, pinnedTrees } = host.disk;
  return (
    <>
      {formatBytes(bytes)}
      <div className="muted">
        {trees} {trees === 1 ? 'tree' : 'trees'}
        {retiredTrees > 0 ? `, ${retiredTrees} retired` : ''}
        {pinnedTrees > 0 ? `, ${pinnedTrees} pinned by runs` : ''}
      </div>
    </>
  );
}

export function HostsTable({ hosts, desiredHash, now }: { hosts: HostStatus[]; desiredHash: string | null; now: number }) {
  return (
    <div className="table-wrap">
      <table aria-labelledby="hosts-title">
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">Kind</th>
            <th scope="col">Tree</th>
            <th scope="col">State</th>
            <th scope="col">Converged at</th>
            <th scope="col">Last seen</th>
            <th scope="col">Last error</th>
            <th scope="col">Disk</th>
          </tr>
        </thead>
        <tbody>
          {hosts.map((host) => {
            const state = classifyHost(host, desiredHash);
            return (
              <tr key={host.hostId}>
                <td>
                  <code>{host.hostId}</code>
                </td>
                <td>
                  <Kind host={host} />
                </td>
                <td>
                  <code title={host.lockfileHash ?? 'no tree yet'}>{host.lockfileHash ? shortHash(host.lockfileHash) : 'none'}</code>
                </td>
                <td>
                  <span className={`badge badge-${state}`}>{state}</span>
                </td>
                <td>{host.convergedAt ? <time dateTime={host.convergedAt}>{formatTime(host.convergedAt)}</time> : '—'}</td>
                <td>
                  <time dateTime={host.lastSeenAt} title={formatTime(host.lastSeenAt)}>
                    {timeAgo(host.lastSeenAt, now)}
                  </time>
                </td>
                <td className={host.lastError ? 'host-error' : undefined}>{host.lastError ?? '—'}</td>
                <td>
                  <Disk host={host} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
