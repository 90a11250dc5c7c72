// Fetches one tarball the blob store does not have (or holds damaged), verified by pacote against
// the registry's integrity while it downloads; the pipeline hashes it once more for our sha512 key.
import pacote from 'pacote';
import { toResolveError, type RegistryNaming } from './npm-error-mapping.ts';
import type { ResolvedNode } from './resolve-tree.ts';

export async function fetchTarball(node: ResolvedNode, npmOptions: Record<string, unknown>, registries: RegistryNaming): Promise<Uint8Array> {
  let data: Buffer;
  try {
    data = await pacote.tarball(node.resolved, {
      ...npmOptions,
      ...(node.registryIntegrity ? { integrity: node.registryIntegrity } : {}),
      preferOnline: true,
      // No npm cache: the blob store keeps the tarball, and npm's would write and hash each one once more.
      cache: undefined,
    } as pacote.Options);
  } catch (error) {
    // The package, so the message names it and the registry it comes from.
    throw toResolveError(Object.assign(error as object, { pkgid: `${node.name}@${node.version}` }), registries);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
