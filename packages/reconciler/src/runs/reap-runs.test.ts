import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunPinRecord } from '@spk/common';
import { dataLayout } from '../data-layout.ts';
import { isRunning } from '../test-support/process-state.ts';
import { convergedRunHost } from '../test-support/run-host.ts';
import { useTempDirs } from '../test-support/temp-dirs.ts';
import { processIdentity } from './process-identity.ts';
import { pinnedTreeHashes } from './run-pins.ts';
import { createScriptRunner } from './script-runner.ts';

const tempDir = useTempDirs();
const OWNER = fileURLToPath(new URL('../test-support/run-owner-child.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));


async function waitFor<T>(probe: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value !== null) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out waiting');
}

const runDirs = async (dataDir: string) => (await readdir(dataLayout(dataDir).runsDir)).sort();

describe('reaping what crashed runs left', () => {
  it("kills the run process of a SIGKILLed server and removes its pin, and its half-made run dirs, sparing a live owner's run and a reused pid", async () => {
    const { dataDir, fixture } = await convergedRunHost(tempDir);
    const { runsDir } = dataLayout(dataDir);
    const owner = spawn(process.execPath, ['--import', 'tsx', OWNER, dataDir, fixture.lockfileHash], { cwd: PACKAGE_DIR, stdio: 'ignore' });
    const record = await waitFor(async () => {
      const names = await readdir(runsDir).catch(() => []);
      const runId = names.find((name) => !name.startsWith('.'));
      if (!runId) return null;
      const pin = JSON.parse(await readFile(path.join(runsDir, runId, 'pin.json'), 'utf8').catch(() => 'null')) as RunPinRecord | null;
      return pin?.child ? pin : null;
    });
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    // The run's child leads its own session: the owner's death alone does not end it.
    expect(await isRunning(record.child!.pid)).toBe(true);
    expect(await pinnedTreeHashes(dataDir)).toEqual(new Set([fixture.lockfileHash]));

    // A run of a live owner (this process), one whose pid now belongs to someone else (this
    // process again, under another start time), and one from before pin.json existed.
    const me = (await processIdentity(process.pid))!;
    const live = { runId: 'live', lockfileHash: fixture.lockfileHash, owner: me, child: null };
    const reused = { runId: 'reused', lockfileHash: fixture.lockfileHash, owner: { ...me, pid: record.owner.pid, startTime: record.owner.startTime }, child: { ...me, startTime: me.startTime! + 1 } };
    const names = { live: '00000000-0000-4000-8000-000000000001', reused: '00000000-0000-4000-8000-000000000002', legacy: '00000000-0000-4000-8000-000000000003' };
    for (const [name, pin] of [[names.live, live], [names.reused, reused]] as const) {
      await mkdir(path.join(runsDir, name));
      await writeFile(path.join(runsDir, name, 'pin.json'), JSON.stringify(pin));
    }
    await mkdir(path.join(runsDir, names.legacy));
    // A run dir the dead owner was still assembling.
    await mkdir(path.join(runsDir, `.run.tmp-${owner.pid}-0123456789ab`));

    const report = await createScriptRunner({ dataDir }).prepare();
    expect(report).toEqual({ killed: 1, removed: 4 });
    await waitFor(async () => ((await isRunning(record.child!.pid)) ? null : true));
    expect(await runDirs(dataDir)).toEqual([names.live]);
    expect(await isRunning(process.pid)).toBe(true);
  });
});
