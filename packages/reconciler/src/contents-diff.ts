// Compares what a directory must hold (from the tarball, or from the tree plan) with what is
// on disk, path by path. Pure, so every rule is tested without a disk. Below a path that is
// missing, unexpected or of the wrong type nothing more is reported: repairing that one path
// replaces everything under it.
import type { FsckProblemKind } from '@spk/common';
import type { DiskEntries, DiskEntry } from './disk-entries.ts';
import type { ExpectedEntry } from './tarball-contents.ts';

export interface Difference {
  file: string;
  kind: FsckProblemKind;
  problem: string;
}

export interface DiffRules {
  /** Store dirs are sealed (no write bit at all); tree dirs only must not be group/world-writable. */
  dirWriteMask: number;
  /** Root-level names that are not compared (a tree's completion marker). */
  ignore?: ReadonlySet<string>;
  /**
   * Paths where only presence counts (below a package whose lifecycle scripts ran): an expected
   * entry must exist with its type, while other bytes and modes, and extra entries, are what the
   * scripts legitimately left.
   */
  presenceOnly?: (rel: string) => boolean;
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');
const depth = (rel: string) => (rel === '' ? 0 : rel.split('/').length);
const byDepth = (a: string, b: string) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0);
const isBelow = (rel: string, dir: string) => dir === '' || rel.startsWith(`${dir}/`);
const kindName = { dir: 'directory', file: 'file', symlink: 'symbolic link', other: 'special file' } as const;

function fileProblems(expected: Extract<ExpectedEntry, { kind: 'file' }>, actual: Extract<DiskEntry, { kind: 'file' }>): Difference['kind'] | null {
  if (actual.size !== expected.size || (actual.sha256 !== null && actual.sha256 !== expected.sha256)) return 'content';
  // An extra exec bit is fine: trees mark bin targets executable in the shared inode.
  if (actual.mode & 0o7222 || (expected.executable && !(actual.mode & 0o111))) return 'mode';
  return null;
}

function fileMessage(expected: Extract<ExpectedEntry, { kind: 'file' }>, actual: Extract<DiskEntry, { kind: 'file' }>, kind: string): string {
  const parts: string[] = [];
  if (kind === 'content') {
    parts.push(actual.size === expected.size ? 'its bytes differ from the tarball' : `it has ${actual.size} bytes, the tarball ${expected.size}`);
  }
  if (actual.mode & 0o222) parts.push(`it is writable (mode ${octal(actual.mode)}); package files must be read-only`);
  if (actual.mode & 0o7000) parts.push(`it has setuid/setgid/sticky bits (mode ${octal(actual.mode)})`);
  if (expected.executable && !(actual.mode & 0o111)) parts.push(`it is not executable (mode ${octal(actual.mode)})`);
  return parts.join('; ');
}

function compare(rel: string, expected: ExpectedEntry, actual: DiskEntry, rules: DiffRules): Difference | null {
  if (expected.kind !== actual.kind) {
    return { file: rel, kind: 'type', problem: `is a ${kindName[actual.kind]} where the package has a ${kindName[expected.kind]}` };
  }
  if (expected.kind === 'dir' && actual.kind === 'dir') {
    if (!(actual.mode & (rules.dirWriteMask | 0o7000))) return null;
    const who = rules.dirWriteMask === 0o222 ? 'anybody' : 'group or others';
    return { file: rel, kind: 'mode', problem: `the directory has mode ${octal(actual.mode)}; it must not be writable by ${who} nor have special bits` };
  }
  if (expected.kind === 'symlink' && actual.kind === 'symlink') {
    if (expected.target === actual.target) return null;
    return { file: rel, kind: 'link', problem: `points at "${actual.target}" instead of "${expected.target}"` };
  }
  if (expected.kind === 'file' && actual.kind === 'file') {
    const kind = fileProblems(expected, actual);
    return kind ? { file: rel, kind, problem: fileMessage(expected, actual, kind) } : null;
  }
  return null;
}

export function diffContents(expected: ReadonlyMap<string, ExpectedEntry>, actual: DiskEntries, rules: DiffRules): Difference[] {
  const differences: Difference[] = [];
  // Paths whose whole subtree is replaced on repair: nothing below them is reported again.
  const replaced: string[] = [];
  const covered = (rel: string) => replaced.some((dir) => isBelow(rel, dir));
  const ignored = (rel: string) => rules.ignore?.has(rel) === true;
  const loose = rules.presenceOnly ?? (() => false);

  for (const rel of [...new Set([...expected.keys(), ...actual.keys()])].sort(byDepth)) {
    if (ignored(rel) || covered(rel)) continue;
    const want = expected.get(rel);
    const have = actual.get(rel);
    if (want && !have) {
      differences.push({ file: rel, kind: 'missing', problem: `is missing (a ${kindName[want.kind]} of the package)` });
      replaced.push(rel);
    } else if (have && !want) {
      if (!loose(rel)) differences.push({ file: rel, kind: 'unexpected', problem: `is a ${kindName[have.kind]} that is not part of the package` });
      replaced.push(rel);
    } else if (want && have) {
      const difference = loose(rel) && want.kind === have.kind ? null : compare(rel, want, have, rules);
      if (difference) differences.push(difference);
      if (difference?.kind === 'type') replaced.push(rel);
    }
  }
  return differences;
}
