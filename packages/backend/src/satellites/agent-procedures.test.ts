import { describe, expect, it } from 'vitest';
import { systemClock } from '../services.ts';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import { createAgentProcedures, type AgentProceduresDeps } from './agent-procedures.ts';

const INTEGRITY = `sha512-${'A'.repeat(86)}==`;

function procedures(retainedIntegrities?: AgentProceduresDeps['retainedIntegrities']) {
  const lines: LogLine[] = [];
  const agent = createAgentProcedures({
    readDesired: async () => null,
    hosts: { reportSatellite: async () => true },
    pollIntervalMs: 1000,
    clock: systemClock,
    logger: memoryLogger(lines),
    ...(retainedIntegrities ? { retainedIntegrities } : {}),
  });
  return { agent, lines };
}

describe('agent.desired', () => {
  it("tells satellites what the kept history needs, so their tree GC keeps those packages", async () => {
    const { agent } = procedures(async () => new Set([INTEGRITY]));
    expect(await agent.desired()).toEqual({ desired: null, pollIntervalMs: 1000, retainedIntegrities: [INTEGRITY] });
  });

  it('still answers when the history cannot be read, leaving the list out (satellites then keep every package) and logging why', async () => {
    const { agent, lines } = procedures(() => Promise.reject(new Error('history table missing')));
    expect(await agent.desired()).toEqual({ desired: null, pollIntervalMs: 1000 });
    expect(lines.find((line) => line.level === 'warn')?.msg).toContain('kept history could not be read');
  });
});
