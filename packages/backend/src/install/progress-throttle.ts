// Install progress is written to the database for every status reader; this keeps it to a few
// writes a second, while a phase change and the last step of a phase are always written.
import type { InstallProgress } from '@spk/common';

export function throttleProgress(write: (p: InstallProgress) => Promise<void>, intervalMs = 200) {
  let last = 0;
  let lastPhase = '';
  return async (p: InstallProgress): Promise<void> => {
    const now = Date.now();
    if (p.phase === lastPhase && now - last < intervalMs && p.done !== p.total) return;
    last = now;
    lastPhase = p.phase;
    await write(p);
  };
}
