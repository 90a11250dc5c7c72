// Points a symlink somewhere new in one step: readers see either the old or the new target,
// never a missing link. rename(2) replaces the link itself, not what it points at.
import { rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { tempName } from './temp-names.ts';

export async function replaceSymlink(linkPath: string, target: string): Promise<void> {
  const temp = path.join(path.dirname(linkPath), tempName(path.basename(linkPath)));
  await symlink(target, temp);
  try {
    await rename(temp, linkPath);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
