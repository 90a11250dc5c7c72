// Reads a package tarball's entries through tar's Parser and the tar-entry policy: the one reader
// behind safe extraction, the installer's check and fsck, so all three pass the same entries and
// report a refused entry or a damaged archive the same way (UNSAFE_TARBALL, naming the package).
import { Parser, type ReadEntry } from 'tar';
import { SpkError } from '@spk/common';
import { createTarEntryPolicy, type EntryVerdict } from './tar-entry-policy.ts';

/** An entry the policy lets through, its path relative to the package dir. */
export type AllowedEntry = Extract<EntryVerdict, { action: 'extract' }>;

export interface ReadTarEntriesOptions {
  bytes: Uint8Array;
  /** `name@version`, for messages. */
  label: string;
  maxEntryBytes?: number | undefined;
  /** How a refusal's message opens (`refusing to extract a@1.0.0`); `: entry "<path>" <reason>` follows. */
  refusalPrefix: string;
  /**
   * Called for each allowed entry, in archive order, until an entry is refused. A file's body is
   * the caller's to read: the parser moves on only once it is consumed. Every other body (and
   * every body, without this callback) is drained here.
   */
  onEntry?: (allowed: AllowedEntry, entry: ReadEntry) => void;
}

/** Resolves once every entry is read and allowed; throws UNSAFE_TARBALL otherwise. */
export async function readTarEntries({ bytes, label, maxEntryBytes, refusalPrefix, onEntry }: ReadTarEntriesOptions): Promise<void> {
  const policy = createTarEntryPolicy({ maxEntryBytes });
  let refusal: { path: string; reason: string } | null = null;
  const problems: string[] = [];

  const onReadEntry = (entry: ReadEntry) => {
    const verdict = refusal ? ({ action: 'skip' } as const) : policy.check({ path: entry.path, type: entry.type, linkpath: entry.linkpath, size: entry.size });
    if (verdict.action === 'refuse') refusal = { path: entry.path, reason: verdict.reason };
    if (verdict.action !== 'extract' || verdict.kind !== 'file' || !onEntry) entry.resume();
    if (verdict.action === 'extract') onEntry?.(verdict, entry);
  };

  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({ onReadEntry });
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
    throw new SpkError('UNSAFE_TARBALL', `${refusalPrefix}: entry "${entryPath}" ${reason}`, { package: label, entry: entryPath, reason });
  }
  if (problems.length > 0) throw new SpkError('UNSAFE_TARBALL', `the tarball of ${label} is damaged: ${problems.join('; ')}`, { package: label });
}
