// One measured start of the real server as `npm start` runs it (`node apps/server/bin/server.mjs`):
// wall time from spawn until /healthz answers 200, the peak RSS of its process tree while it starts
// and idles, and its RSS after a short idle, read from /proc while it runs. Then a graceful stop.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { freePort, SERVER_BIN } from '@spk/tools';
import type { Sample } from './bench-rounds.ts';

export interface StartSample extends Sample {
  peakRssMiB: number;
  /** Resident set of the server's process tree after it idled `idleMs` past its first healthy answer. */
  idleRssMiB: number;
}

export interface ServerStart {
  dataDir: string;
  /** Unset: the embedded PGlite database in the data dir. */
  databaseUrl?: string | undefined;
  idleMs: number;
  /** More environment for the server (e.g. SPK_PGLITE_TEMPLATE_DIR). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

const POLL_MS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pid and all its descendants (a launcher may run the server as a child). */
async function processTree(pid: number): Promise<number[]> {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    const tasks = await readFile(`/proc/${tree[i]}/task/${tree[i]}/children`, 'utf8').catch(() => '');
    tree.push(...tasks.split(' ').filter(Boolean).map(Number));
  }
  return tree;
}

/** Sum over the tree of VmRSS (now) and VmHWM (each process's own peak), in MiB. */
async function treeMemory(pid: number): Promise<{ rssMiB: number; hwmMiB: number }> {
  let rss = 0;
  let hwm = 0;
  for (const p of await processTree(pid)) {
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '');
    rss += Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
    hwm += Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
  }
  return { rssMiB: rss / 1024, hwmMiB: hwm / 1024 };
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200;
  } catch {
    return false;
  }
}

export async function timeServerStart(options: ServerStart): Promise<StartSample> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', SPK_DATA_DIR: options.dataDir, DATABASE_URL: options.databaseUrl ?? '', ...options.env };
  // As a first `npm start` does: the admin token and the secret key are generated into the data dir.
  delete env.SPK_ADMIN_TOKEN;
  delete env.SPK_SECRET_KEY;
  const start = performance.now();
  const child = spawn(process.execPath, [SERVER_BIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    let peak = 0;
    const observe = async () => {
      const m = await treeMemory(child.pid!);
      peak = Math.max(peak, m.rssMiB, m.hwmMiB);
      return m;
    };
    const deadline = start + (options.timeoutMs ?? 120_000);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before /healthz answered:\n${output}`);
      if (await healthy(`http://127.0.0.1:${port}/healthz`)) break;
      if (performance.now() > deadline) throw new Error(`the server did not answer /healthz in time:\n${output}`);
      await observe();
      await sleep(POLL_MS);
    }
    const ms = performance.now() - start;
    const idleUntil = performance.now() + options.idleMs;
    while (performance.now() < idleUntil) {
      await observe();
      await sleep(100);
    }
    const idle = await observe();
    return { ms, peakRssMiB: peak, idleRssMiB: idle.rssMiB };
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }
}
