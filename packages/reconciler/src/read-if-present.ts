// Reading a file or directory that may not exist yet (a lock, a token, a cached result, a cache
// dir) is common enough to say once: missing is null or empty, any other failure is the caller's.
import { readdir, readFile } from 'node:fs/promises';

export async function readFileIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The names in `dir`; none when it does not exist. */
export async function readDirIfPresent(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
