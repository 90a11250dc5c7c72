// At start, a server clears what a crashed predecessor's runs left in .runs/: it kills each
// leftover run process (and its process group) whose pid AND start time still match pin.json,
// and any process still carrying the run's marker, then removes the run dir, releasing the
// tree it pinned. A run dir whose owner is still alive
// (another server process on the same data dir) is left alone.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { dataLayout } from '../data-layout.ts';
import { sweepStaleTemps } from '../temp-names.ts';
import { isSameProcessAlive, killIfSame } from './process-identity.ts';
import { readRunPinRecord, RUN_ID } from './run-pins.ts';
import { killMarkedProcesses } from './run-process-tree.ts';
import { readDirIfPresent } from '../read-if-present.ts';

export interface ReapReport {
  /** Leftover runs (of dead owners) whose processes were still running, and were killed. */
  killed: number;
  /** Run dirs (and half-made run dirs) removed. */
  removed: number;
}

export async function reapRunLeftovers(dataDir: string): Promise<ReapReport> {
  const { runsDir } = dataLayout(dataDir);
  const report: ReapReport = { killed: 0, removed: await sweepStaleTemps(runsDir) };
  const names = await readDirIfPresent(runsDir);
  for (const name of names.filter((n) => RUN_ID.test(n))) {
    const runDir = path.join(runsDir, name);
    const record = await readRunPinRecord(runDir);
    if (record && (await isSameProcessAlive(record.owner))) continue;
    const killedChild = record?.child ? await killIfSame(record.child) : false;
    // Processes the run started (when allowed) that left its process group.
    const killedOthers = await killMarkedProcesses(name);
    if (killedChild || killedOthers > 0) report.killed += 1;
    await rm(runDir, { recursive: true, force: true });
    report.removed += 1;
  }
  return report;
}
