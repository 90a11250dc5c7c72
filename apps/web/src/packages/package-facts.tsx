// Size, types and deprecation of a declared package: the size the install stored, else as the registry
// describes the version the desired tree resolved (before an install, the one the range picks). Three cells.
import type { ListedPackage } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { formatBytes } from '../ui/format.ts';
import { useApi } from '../ui/hooks.ts';

/** The installed tarball's size once an install holds the package; before that the registry's unpacked size. */
function sizeText(pkg: ListedPackage, unpackedSize: number | null): string {
  if (pkg.tarballSize !== null) return `${formatBytes(pkg.tarballSize)} tarball`;
  return unpackedSize === null ? '—' : `${formatBytes(unpackedSize)} unpacked`;
}

export function PackageFactCells({ pkg }: { pkg: ListedPackage }) {
  const { client } = useSession();
  const spec = `${pkg.name}@${pkg.resolvedVersion ?? pkg.range}`;
  const facts = useApi(() => client.registry.package({ spec }), [client, spec]);
  const info = facts.data;
  if (facts.error || !info) {
    return (
      <>
        <td className="num">{sizeText(pkg, null)}</td>
        {facts.error ? (
          <td colSpan={2} className="facts-error">
            Registry facts unavailable: {facts.error.message}
          </td>
        ) : (
          <td colSpan={2} className="facts-loading">
            Asking the registry…
          </td>
        )}
      </>
    );
  }
  const types = info.hasOwnTypes ? 'own' : (info.typesPackage ?? 'none');
  return (
    <>
      <td className="num">{sizeText(pkg, info.unpackedSize)}</td>
      <td>{types}</td>
      <td>{info.deprecated === null ? 'no' : <span className="deprecated">deprecated: {info.deprecated}</span>}</td>
    </>
  );
}
