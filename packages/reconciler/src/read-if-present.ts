// Reading a file that may not exist yet (a lock, a token, a cached result) is common enough to
// say once: a missing file is null, any other failure is the caller's to see.
import { readFile } from 'node:fs/promises';

export async function readFileIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
