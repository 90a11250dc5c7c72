// Runs the tar-entry policy over a whole package tarball without writing anything, so the
// installer refuses exactly the tarballs a host's safe extraction would refuse (same policy,
// same default entry-size limit), before a desired state that no host can reach is committed.
import { Parser, type ReadEntry } from 'tar';
import { SpkError } from '@spk/common';
import { createTarEntryPolicy } from './tar-entry-policy.ts';

export interface TarballCheckOptions {
  bytes: Uint8Array;
  /** `name@version`, for messages. */
  label: string;
  maxEntryBytes?: number;
}

/** Resolves when every entry passes; throws UNSAFE_TARBALL naming the package and the entry otherwise. */
export async function checkTarball({ bytes, label, maxEntryBytes }: TarballCheckOptions): Promise<void> {
  const policy = createTarEntryPolicy(maxEntryBytes === undefined ? {} : { maxEntryBytes });
  let refusal: { path: string; reason: string } | null = null;
  const problems: string[] = [];

  const onEntry = (entry: ReadEntry) => {
    if (!refusal) {
      const verdict = policy.check({ path: entry.path, type: entry.type, linkpath: entry.linkpath, size: entry.size });
      if (verdict.action === 'refuse') refusal = { path: entry.path, reason: verdict.reason };
    }
    // Bodies are only read past, never kept: the parser moves on once an entry is consumed.
    entry.resume();
  };

  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({ onReadEntry: onEntry });
    parser.on('warn', (code: string, message: string) => problems.push(`${code}: ${message}`));
    parser.on('error', reject);
    parser.on('end', () => resolve());
    parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }).catch((error: unknown) => {
    throw new SpkError('UNSAFE_TARBALL', `could not read the tarball of ${label}: ${(error as Error).message}`, { package: label }, { cause: error });
  });
  refusal ??= policy.finish();
  if (refusal) {
    const { path: entryPath, reason } = refusal;
    throw new SpkError('UNSAFE_TARBALL', `the tarball of ${label} is unsafe: entry "${entryPath}" ${reason}`, { package: label, entry: entryPath, reason });
  }
  if (problems.length > 0) throw new SpkError('UNSAFE_TARBALL', `the tarball of ${label} is damaged: ${problems.join('; ')}`, { package: label });
}
