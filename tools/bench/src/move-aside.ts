// Clears the way for a sample by renaming what the previous one left (a tree, a node_modules) to a
// sibling instead of deleting it: on ext4, creating directories right after a large delete costs
// several times more, so deleting between samples measured the filesystem's cleanup rather than
// the installer. What is moved aside goes with the bench's work dir at the end.
import { randomBytes } from 'node:crypto';
import { rename } from 'node:fs/promises';
import path from 'node:path';

export async function moveAside(target: string): Promise<void> {
  const aside = path.join(path.dirname(target), `.aside-${path.basename(target)}-${randomBytes(4).toString('hex')}`);
  try {
    await rename(target, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
