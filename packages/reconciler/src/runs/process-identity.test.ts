import { describe, expect, it } from 'vitest';
import { isSameProcessAlive, parseProcStat, processIdentity } from './process-identity.ts';

describe('process identity', () => {
  it('parses ppid, process group and start time after a command name with spaces and parentheses', () => {
    const line = '4242 (node (a) b) S 17 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 0 0';
    expect(parseProcStat(line)).toEqual({ ppid: 17, pgid: 4242, startTime: 987654 });
  });

  it('tells this live process from a process that reused its pid', async () => {
    const me = (await processIdentity(process.pid))!;
    expect(me.startTime).toEqual(expect.any(Number));
    expect(await isSameProcessAlive(me)).toBe(true);
    expect(await isSameProcessAlive({ ...me, startTime: me.startTime! + 1 })).toBe(false);
  });
});
