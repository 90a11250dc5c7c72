// The installer's promise about the declared set: every enabled declared package is at the top of
// the resolved tree (node_modules/<name>) at a version its range allows, and no two declared names
// differ only in letter case. npm can silently drop a declaration (it folded "Zod" into "zod"), so
// the result is checked here, before anything is fetched or published.
import semver from 'semver';
import { SpkError } from '@spk/common';
import { npmRegistrySpecType } from '@spk/common/node';

export interface DeclaredEntry {
  name: string;
  range: string;
}

export interface ResolvedEntry {
  name: string;
  version: string;
  path: string;
}

/** Whether the resolved version honours the declared range. A dist-tag means whatever npm picked for it. */
function satisfiesDeclared(entry: DeclaredEntry, version: string): boolean {
  const type = npmRegistrySpecType(entry.name, entry.range);
  if (type === 'tag' || entry.range.trim() === '*' || entry.range.trim() === '') return true;
  return semver.satisfies(version, entry.range, { loose: true });
}

export function checkDeclaredSet(declared: readonly DeclaredEntry[], resolved: readonly ResolvedEntry[]): void {
  const topLevel = new Map(resolved.map((node) => [node.path, node]));
  const missing: Array<{ name: string; range: string; found: string | null }> = [];
  for (const entry of declared) {
    const node = topLevel.get(`node_modules/${entry.name}`);
    if (node && node.name === entry.name && satisfiesDeclared(entry, node.version)) continue;
    missing.push({ ...entry, found: node ? `${node.name}@${node.version}` : null });
  }
  if (missing.length > 0) {
    const listed = missing.map((m) => `${m.name}@${m.range} (${m.found ? `node_modules/${m.name} holds ${m.found}` : 'absent'})`);
    throw new SpkError(
      'DECLARED_PACKAGE_MISSING',
      `the resolved tree lacks declared package${missing.length > 1 ? 's' : ''} at the top level: ${listed.join(', ')}; nothing was published and the previous desired state stays. Check each name and range (spk packages list), or remove it with "spk packages remove"`,
      { missing },
    );
  }

  // Both present is still refused: one of them would vanish on a case-insensitive file system.
  const byLowerName = new Map<string, string>();
  for (const { name } of declared) {
    const clash = byLowerName.get(name.toLowerCase());
    if (clash) {
      throw new SpkError(
        'PACKAGE_NAME_CONFLICT',
        `the declared packages "${clash}" and "${name}" differ only in letter case; both cannot be installed side by side (a case-insensitive file system holds only one), so remove one with "spk packages remove"; nothing was published and the previous desired state stays`,
        { names: [clash, name] },
      );
    }
    byLowerName.set(name.toLowerCase(), name);
  }
}
