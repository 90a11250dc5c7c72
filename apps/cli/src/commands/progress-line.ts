// One line of progress on a terminal's stderr, redrawn in place and cleared at the end, so the
// outcome printed next replaces it rather than following it. Shared by install and migrate waits.
import type { CliIo } from './context.ts';

export interface ProgressLine {
  draw(line: string): void;
  clear(): void;
}

export function createProgressLine(io: Pick<CliIo, 'stderr'>): ProgressLine {
  let shown: string | null = null;
  return {
    draw(line) {
      if (line !== shown) io.stderr(`\r\x1b[2K${line}`);
      shown = line;
    },
    clear() {
      if (shown !== null) io.stderr('\r\x1b[2K');
      shown = null;
    },
  };
}
