import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('SPK_AGENT_HEARTBEAT_MS', () => {
  it("is left to the backend's default when unset or empty, and read when set", () => {
    expect(loadConfig({}).agentHeartbeatMs).toBeUndefined();
    expect(loadConfig({ SPK_AGENT_HEARTBEAT_MS: '' }).agentHeartbeatMs).toBeUndefined();
    expect(loadConfig({ SPK_AGENT_HEARTBEAT_MS: '5000' }).agentHeartbeatMs).toBe(5000);
  });

  it.each([
    ['abc', 'must be a whole number of milliseconds'],
    ['2.5', 'must be a whole number of milliseconds'],
    ['50', 'must be 100 ms to 1 hour'],
    ['3600001', 'must be 100 ms to 1 hour'],
  ])('refuses %s, saying what it must be', (value, message) => {
    expect(() => loadConfig({ SPK_AGENT_HEARTBEAT_MS: value })).toThrow(`SPK_AGENT_HEARTBEAT_MS: ${message}`);
  });
});
