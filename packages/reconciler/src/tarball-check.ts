// Runs the tar-entry policy over a whole package tarball without writing anything, so the
// installer refuses exactly the tarballs a host's safe extraction would refuse (same policy,
// same default entry-size limit), before a desired state that no host can reach is committed.
import { readTarEntries } from './tar-entries.ts';

export interface TarballCheckOptions {
  bytes: Uint8Array;
  /** `name@version`, for messages. */
  label: string;
  maxEntryBytes?: number;
}

/** Resolves when every entry passes; throws UNSAFE_TARBALL naming the package and the entry otherwise. */
export async function checkTarball({ bytes, label, maxEntryBytes }: TarballCheckOptions): Promise<void> {
  // Bodies are only read past, never kept.
  await readTarEntries({ bytes, label, maxEntryBytes, refusalPrefix: `the tarball of ${label} is unsafe` });
}
