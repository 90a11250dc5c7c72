import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TREE_GC_GRACE_MS, DEFAULT_TREE_GC_INTERVAL_MS } from '@spk/common';
import { DEFAULT_INSTALL_SCRIPTS_TIMEOUT_MS, DEFAULT_RUN_SETTINGS } from '@spk/reconciler';
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
      installScripts: { timeoutMs: DEFAULT_INSTALL_SCRIPTS_TIMEOUT_MS },
      treeGc: { graceMs: DEFAULT_TREE_GC_GRACE_MS, intervalMs: DEFAULT_TREE_GC_INTERVAL_MS },
      runTimeoutMs: DEFAULT_RUN_SETTINGS.maxTimeoutMs,
    });
  });

  it('reads the tree GC grace and interval, and the run timeout that makes a pin stale, as a core instance does', () => {
    const config = loadAgentConfig({}, { ...env, SPK_TREE_GC_GRACE_MS: '0', SPK_TREE_GC_INTERVAL_MS: '5000', SPK_RUN_MAX_TIMEOUT_MS: '30000' }, '/');
    expect(config).toMatchObject({ treeGc: { graceMs: 0, intervalMs: 5000 }, runTimeoutMs: 30_000 });
    expect(() => loadAgentConfig({}, { ...env, SPK_TREE_GC_INTERVAL_MS: '10', SPK_INSTALL_SCRIPTS_TIMEOUT_MS: 'soon' }, '/')).toThrow(
      /SPK_INSTALL_SCRIPTS_TIMEOUT_MS[^\n]*\n.*SPK_TREE_GC_INTERVAL_MS: must be at least 1000 ms/,
    );
  });

  it('reads the install-script timeout and run user as a core instance does, and names a bad value', () => {
    const config = loadAgentConfig({}, { ...env, SPK_INSTALL_SCRIPTS_TIMEOUT_MS: '60000', SPK_RUN_AS_USER: 'spk-run' }, '/');
    expect(config.installScripts).toEqual({ timeoutMs: 60_000, runAsUser: 'spk-run' });
    expect(() => loadAgentConfig({}, { ...env, SPK_INSTALL_SCRIPTS_TIMEOUT_MS: 'soon' }, '/')).toThrow(/SPK_INSTALL_SCRIPTS_TIMEOUT_MS: must be a whole number of milliseconds/);
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

  it('reads the token from a file (--token-file / SPK_AGENT_TOKEN_FILE), never from argv', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spk-agent-token-'));
    writeFileSync(path.join(dir, 'token'), 'sat_from_file\n', { mode: 0o600 });
    writeFileSync(path.join(dir, 'empty'), '\n');
    const noToken = { SPK_SERVER: env.SPK_SERVER, SPK_DATA_DIR: env.SPK_DATA_DIR };
    expect(loadAgentConfig({}, { ...noToken, SPK_AGENT_TOKEN_FILE: 'token' }, dir).token).toBe('sat_from_file');
    expect(loadAgentConfig({ tokenFile: path.join(dir, 'token') }, noToken, '/').token).toBe('sat_from_file');
    // The token itself still wins over a file at the same level, and a flag over the environment.
    expect(loadAgentConfig({}, { ...env, SPK_AGENT_TOKEN_FILE: 'token' }, dir).token).toBe('sat_secret_value');
    expect(loadAgentConfig({ tokenFile: 'token' }, env, dir).token).toBe('sat_from_file');
    expect(() => loadAgentConfig({}, { ...noToken, SPK_AGENT_TOKEN_FILE: 'missing' }, dir)).toThrow(/SPK_AGENT_TOKEN_FILE cannot read .*missing \(ENOENT\)/);
    expect(() => loadAgentConfig({ tokenFile: 'empty' }, noToken, dir)).toThrow(/--token-file .*empty is empty/);
    expect(() => loadAgentConfig({ tokenFile: 'empty' }, noToken, dir)).not.toThrow(/is required/);
  });

  it('parses the daemon, run and help command lines, refusing unknown options', () => {
    expect(parseAgentArgs(['--token-file', '/etc/spk-agent/token'])).toEqual({ kind: 'daemon', flags: { tokenFile: '/etc/spk-agent/token' } });
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
