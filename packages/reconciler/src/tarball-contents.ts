// What a package directory extracted from a tarball must contain, read from the tarball
// without writing anything: every path the extraction policy lets through, with each file's
// sha256 and exec bit. fsck compares the extracted store against this, entry for entry.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { SpkError } from '@spk/common';
import { createTarEntryPolicy } from './tar-entry-policy.ts';

export type ExpectedEntry =
  | { kind: 'dir' }
  | { kind: 'file'; size: number; sha256: string; executable: boolean }
  | { kind: 'symlink'; target: string };

/** Keyed by path relative to the package dir; '' is the package dir itself. */
export type PackageContents = Map<string, ExpectedEntry>;

export interface TarballContents {
  contents: PackageContents;
  /** `name@version` from the tarball's package.json, when it has a readable one. */
  label: string | null;
}

function labelOf(packageJson: Buffer | null): string | null {
  try {
    const { name, version } = JSON.parse(packageJson?.toString('utf8') ?? 'null') as { name?: unknown; version?: unknown };
    return typeof name === 'string' && typeof version === 'string' ? `${name}@${version}` : null;
  } catch {
    return null;
  }
}

export async function readTarballContents(options: { bytes: Uint8Array; label: string; maxEntryBytes?: number }): Promise<TarballContents> {
  const { bytes, label, maxEntryBytes } = options;
  const policy = createTarEntryPolicy(maxEntryBytes === undefined ? {} : { maxEntryBytes });
  const contents: PackageContents = new Map([['', { kind: 'dir' }]]);
  const addParents = (rel: string) => {
    for (let dir = path.posix.dirname(rel); dir !== '.' && !contents.has(dir); dir = path.posix.dirname(dir)) contents.set(dir, { kind: 'dir' });
  };
  let refusal: { path: string; reason: string } | null = null;
  const problems: string[] = [];
  let packageJson: Buffer | null = null;

  const onEntry = (entry: ReadEntry) => {
    const verdict = refusal ? ({ action: 'skip' } as const) : policy.check({ path: entry.path, type: entry.type, linkpath: entry.linkpath, size: entry.size });
    if (verdict.action === 'refuse') refusal = { path: entry.path, reason: verdict.reason };
    if (verdict.action !== 'extract' || verdict.kind !== 'file') entry.resume();
    if (verdict.action !== 'extract') return;
    addParents(verdict.path);
    if (verdict.kind === 'dir') contents.set(verdict.path, { kind: 'dir' });
    else if (verdict.kind === 'symlink') contents.set(verdict.path, { kind: 'symlink', target: verdict.target });
    // Extraction makes a hard link, so the path holds exactly the target's bytes and mode.
    else if (verdict.kind === 'hardlink') contents.set(verdict.path, contents.get(verdict.target)!);
    else {
      const hash = createHash('sha256');
      let size = 0;
      const executable = ((entry.mode ?? 0) & 0o111) !== 0;
      const keep: Buffer[] | null = verdict.path === 'package.json' ? [] : null;
      entry.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
        keep?.push(chunk);
      });
      // Set now, filled in at the end of the body: a later hard link to it shares this object.
      const file = { kind: 'file' as const, size: 0, sha256: '', executable };
      contents.set(verdict.path, file);
      entry.on('end', () => {
        Object.assign(file, { size, sha256: hash.digest('hex') });
        if (keep) packageJson = Buffer.concat(keep);
      });
    }
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
    throw new SpkError('UNSAFE_TARBALL', `the tarball of ${label} is refused: entry "${entryPath}" ${reason}`, { package: label, entry: entryPath, reason });
  }
  if (problems.length > 0) throw new SpkError('UNSAFE_TARBALL', `the tarball of ${label} is damaged: ${problems.join('; ')}`, { package: label });
  return { contents, label: labelOf(packageJson) };
}
