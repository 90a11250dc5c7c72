import { describe, expect, it } from 'vitest';
import { parseAgentArgs, UsageError } from './args.ts';
import { DEFAULT_HEARTBEAT_MS, loadAgentConfig } from './config.ts';
import { createJsonLogger } from './logger.ts';

const env = { SPK_SERVER: 'https://core.example:3000/', SPK_AGENT_TOKEN: 'sat_secret_value', SPK_DATA_DIR: 'agent-data' };

describe('agent settings', () => {
  it('reads the environment, with flags winning, and resolves the data dir', () => {
    const config = loadAgentConfig({ server: 'http://other:4000' }, { ...env, SPK_HOST_ID: 'dc2-probe', SPK_POLL_INTERVAL_MS: '2000' }, '/srv');
    expect(config).toEqual({
      serverUrl: 'http://other:4000',
      token: 'sat_secret_value',
      dataDir: '/srv/agent-data',
      hostId: 'dc2-probe',
      pollIntervalMs: 2000,
      heartbeatMs: DEFAULT_HEARTBEAT_MS,
    });
  });

  it('names every missing setting by flag and variable, and says what to give', () => {
    let message = '';
    try {
      loadAgentConfig({}, {}, '/');
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      message = (error as Error).message;
    }
    expect(message).toContain('--server / SPK_SERVER is required');
    expect(message).toContain('--token / SPK_AGENT_TOKEN is required');
    expect(message).toContain('spk satellites create');
    expect(message).toContain('--data-dir / SPK_DATA_DIR is required');
  });

  it('refuses a bad value naming where it came from, without repeating a token', () => {
    const bad = () => loadAgentConfig({ token: 'has a space secret' }, { ...env, SPK_SERVER: 'ftp://x', SPK_POLL_INTERVAL_MS: 'soon' }, '/');
    expect(bad).toThrow(/SPK_SERVER must be an http\(s\) URL/);
    expect(bad).toThrow(/SPK_POLL_INTERVAL_MS must be a number of milliseconds/);
    expect(bad).toThrow(/--token must be one word/);
    expect(bad).not.toThrow(/secret/);
    expect(() => loadAgentConfig({}, { ...env, SPK_SERVER: 'https://user:pw@core' }, '/')).toThrow(/must not contain credentials/);
  });

  it('parses the daemon, run and help command lines, refusing unknown options', () => {
    expect(parseAgentArgs(['--server', 'http://a', '--data-dir', 'd'])).toEqual({ kind: 'daemon', flags: { server: 'http://a', dataDir: 'd' } });
    expect(parseAgentArgs(['run', 'check.mjs', '--json', '--timeout', '5'])).toEqual({ kind: 'run', file: 'check.mjs', json: true, timeoutSeconds: '5' });
    expect(parseAgentArgs(['--version'])).toEqual({ kind: 'version' });
    expect(() => parseAgentArgs(['--sever', 'x'])).toThrow(UsageError);
    expect(() => parseAgentArgs(['run'])).toThrow(/exactly one script file/);
  });
});

describe('the agent log', () => {
  it('writes one JSON object per line and never the secrets it was given', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (line) => lines.push(line), secrets: ['sat_secret_value'], now: () => new Date(0) });
    logger.info('converged', { lockfileHash: 'abc' });
    logger.error('failed', { error: 'GET https://core/?t=sat_secret_value refused' });
    logger.debug('hidden');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { level: 'info', time: '1970-01-01T00:00:00.000Z', msg: 'converged', lockfileHash: 'abc' },
      { level: 'error', time: '1970-01-01T00:00:00.000Z', msg: 'failed', error: 'GET https://core/?t=[redacted] refused' },
    ]);
  });
});
