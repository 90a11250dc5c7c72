import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSameProcessAlive, parseProcStat, processIdentity } from './process-identity.ts';

describe('process identity', () => {
  it('parses state, ppid, process group and start time after a command name with spaces and parentheses', () => {
    const line = '4242 (node (a) b) S 17 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 0 0';
    expect(parseProcStat(line)).toEqual({ state: 'S', ppid: 17, pgid: 4242, startTime: 987654 });
  });

  it('tells this live process from a process that reused its pid', async () => {
    const me = (await processIdentity(process.pid))!;
    expect(me.startTime).toEqual(expect.any(Number));
    expect(await isSameProcessAlive(me)).toBe(true);
    expect(await isSameProcessAlive({ ...me, startTime: me.startTime! + 1 })).toBe(false);
  });

  it('counts an exited process nobody reaped (a zombie) as not alive', async () => {
    // The inner shell exits after its parent has become `sleep`, which never reaps it. It waits a
    // second first: exiting while its parent was still the shell (a loaded machine is slow to exec)
    // let the shell reap it, and no zombie was ever there to see.
    const parent = spawn('sh', ['-c', 'sh -c "sleep 1; exit 0" & echo $!; exec sleep 15'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const [chunk] = (await once(parent.stdout!, 'data')) as [Buffer];
      const pid = Number(chunk.toString().trim());
      for (let i = 0; i < 500 && parseProcStatOf(pid) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 20));
      expect(parseProcStatOf(pid)).toBe('Z');
      const identity = await processIdentity(pid);
      expect(identity).not.toBeNull();
      expect(await isSameProcessAlive(identity!)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  }, 15_000);
});

function parseProcStatOf(pid: number): string | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.state ?? null;
  } catch {
    return null;
  }
}
