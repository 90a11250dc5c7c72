// Fetches one tarball the blob store does not have yet, verified against the registry's integrity
// (pacote), and computes the sha512 we key blobs by.
import pacote from 'pacote';
import ssri from 'ssri';
import type { ResolvedNode } from './resolve-tree.ts';
import { toResolveError } from './resolve-tree.ts';

export interface FetchedTarball {
  integrity: string;
  bytes: Uint8Array;
}

export async function fetchTarball(node: ResolvedNode, npmOptions: Record<string, unknown>): Promise<FetchedTarball> {
  let data: Buffer;
  try {
    data = await pacote.tarball(node.resolved, {
      ...npmOptions,
      ...(node.registryIntegrity ? { integrity: node.registryIntegrity } : {}),
      preferOnline: true,
    } as pacote.Options);
  } catch (error) {
    throw toResolveError(Object.assign(error as object, { pkgid: `${node.name}@${node.version}` }), String(npmOptions.registry));
  }
  const integrity = ssri.fromData(data, { algorithms: ['sha512'] }).toString();
  return { integrity, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
