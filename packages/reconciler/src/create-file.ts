// Creates one new file with its final mode and contents: open (O_CREAT|O_EXCL, so an existing
// path or a link is never written through), writev, close — three thread-pool calls and no
// separate chmod. Extraction creates thousands of these; the callback API skips the FileHandle
// objects fs/promises would allocate (and later close and collect) for each.
import { close, open, writev } from 'node:fs';

function writeAll(fd: number, chunks: readonly Buffer[], done: (error: Error | null) => void): void {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  writev(fd, chunks as Buffer[], (error, written) => {
    if (error) return done(error);
    if (written === total) return done(null);
    if (written === 0) return done(new Error('the file system accepted no bytes'));
    // A short write (rare on regular files): carry on from where it stopped.
    const rest: Buffer[] = [];
    let skip = written;
    for (const chunk of chunks) {
      if (skip >= chunk.length) skip -= chunk.length;
      else {
        rest.push(skip > 0 ? chunk.subarray(skip) : chunk);
        skip = 0;
      }
    }
    writeAll(fd, rest, done);
  });
}

/** `chunks` in order make the contents; fails with EEXIST when anything is at `file` already. */
export function createFile(file: string, chunks: readonly Buffer[], mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    open(file, 'wx', mode, (openError, fd) => {
      if (openError) return reject(openError);
      const finish = (writeError: Error | null) =>
        close(fd, (closeError) => {
          const error = writeError ?? closeError;
          if (error) reject(error);
          else resolve();
        });
      if (chunks.length === 0) finish(null);
      else writeAll(fd, chunks, finish);
    });
  });
}
