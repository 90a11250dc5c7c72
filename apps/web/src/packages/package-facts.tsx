// Size, types and deprecation of a declared package, as the registry describes the version the
// desired tree resolved (or, before an install, the version the declared range picks). Three cells.
import type { ListedPackage } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { formatBytes } from '../ui/format.ts';
import { useApi } from '../ui/hooks.ts';

export function PackageFactCells({ pkg }: { pkg: ListedPackage }) {
  const { client } = useSession();
  const spec = `${pkg.name}@${pkg.resolvedVersion ?? pkg.range}`;
  const facts = useApi(() => client.registry.package({ spec }), [client, spec]);
  if (facts.error) {
    return (
      <td colSpan={3} className="facts-error">
        Registry facts unavailable: {facts.error.message}
      </td>
    );
  }
  const info = facts.data;
  if (!info) {
    return (
      <td colSpan={3} className="facts-loading">
        Asking the registry…
      </td>
    );
  }
  const types = info.hasOwnTypes ? 'own' : (info.typesPackage ?? 'none');
  return (
    <>
      <td className="num">{formatBytes(info.unpackedSize)}</td>
      <td>{types}</td>
      <td>{info.deprecated === null ? 'no' : <span className="deprecated">deprecated: {info.deprecated}</span>}</td>
    </>
  );
}
