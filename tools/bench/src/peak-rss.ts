// Peak resident set of this process, for bench workers that report their own memory. A worker
// serving several timed requests resets the kernel's high-water mark before each one (Linux
// `clear_refs` 5), so each reply carries the peak of that request alone, not of the process's life.
import { readFile, writeFile } from 'node:fs/promises';

const KIB_PER_MIB = 1024;

/** Resets VmHWM; false where the kernel does not allow it (then the peak is the process's lifetime peak). */
export async function resetPeakRss(): Promise<boolean> {
  try {
    await writeFile('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** The high-water mark since the last reset (VmHWM), else getrusage's lifetime maxRSS. */
export async function peakRssMiB(): Promise<number> {
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (hwm) return Number(hwm[1]) / KIB_PER_MIB;
  } catch {
    // Not Linux: fall through to getrusage.
  }
  return process.resourceUsage().maxRSS / KIB_PER_MIB;
}
