// Runs a reference tool as a child process and measures it: wall time from spawn to exit (the
// tool's own start-up included, as a user would wait for it) and its peak RSS, through GNU time
// (`-f %M`) when installed, else a python3 getrusage(RUSAGE_CHILDREN) wrapper, else no RSS.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Sample } from './bench-rounds.ts';

type RssProbe = 'gnu-time' | 'python' | 'none';

const GNU_TIME = '/usr/bin/time';
/** Exits with the command's status and writes its peak RSS (KiB, Linux) to argv[1]. */
const PYTHON_WRAPPER = [
  'import resource, subprocess, sys',
  'code = subprocess.call(sys.argv[2:])',
  "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))",
  'sys.exit(code)',
].join('\n');

let probe: RssProbe | undefined;
function rssProbe(): RssProbe {
  if (probe) return probe;
  const gnu = spawnSync(GNU_TIME, ['--version'], { encoding: 'utf8' });
  if (gnu.status === 0 && `${gnu.stdout}${gnu.stderr}`.includes('GNU')) probe = 'gnu-time';
  else probe = spawnSync('python3', ['-c', 'import resource'], { stdio: 'ignore' }).status === 0 ? 'python' : 'none';
  return probe;
}

/** How peak RSS of reference tools is measured here, for the report's footnote. */
export const rssProbeName = () => ({ 'gnu-time': 'GNU time -f %M', python: 'python3 getrusage(RUSAGE_CHILDREN)', none: 'not measured (no GNU time, no python3)' })[rssProbe()];

export interface MeasuredRun {
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** One timed run of `command`; fails with the tail of its stderr when it exits non-zero. */
export async function runMeasured(command: string, args: string[], options: MeasuredRun): Promise<Sample> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'spk-bench-rss-'));
  const rssFile = path.join(scratch, 'rss');
  const kind = rssProbe();
  const [bin, argv] =
    kind === 'gnu-time'
      ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]]
      : kind === 'python'
        ? ['python3', ['-c', PYTHON_WRAPPER, rssFile, command, ...args]]
        : [command, args];
  try {
    const start = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(bin, argv, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))));
    });
    const ms = performance.now() - start;
    if (kind === 'none') return { ms };
    const kib = Number((await readFile(rssFile, 'utf8')).trim().split('\n').pop());
    return Number.isFinite(kib) && kib > 0 ? { ms, peakRssMiB: kib / 1024 } : { ms };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
