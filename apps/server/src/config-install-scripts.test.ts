import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTALL_SCRIPTS_TIMEOUT_MS } from '@spk/reconciler';
import { loadConfig } from './config.ts';

describe('install-script settings from the environment', () => {
  it('defaults to 5 minutes per script, and reads SPK_INSTALL_SCRIPTS_TIMEOUT_MS as a satellite does', () => {
    expect(loadConfig({}).installScripts).toEqual({ timeoutMs: DEFAULT_INSTALL_SCRIPTS_TIMEOUT_MS });
    expect(loadConfig({ SPK_INSTALL_SCRIPTS_TIMEOUT_MS: '' }).installScripts).toEqual({ timeoutMs: DEFAULT_INSTALL_SCRIPTS_TIMEOUT_MS });
    expect(loadConfig({ SPK_INSTALL_SCRIPTS_TIMEOUT_MS: '60000' }).installScripts).toEqual({ timeoutMs: 60_000 });
  });

  it('refuses a value that is not whole milliseconds from 100 ms to 24 h, naming the variable', () => {
    expect(() => loadConfig({ SPK_INSTALL_SCRIPTS_TIMEOUT_MS: 'soon' })).toThrow(/SPK_INSTALL_SCRIPTS_TIMEOUT_MS: must be a whole number of milliseconds/);
    expect(() => loadConfig({ SPK_INSTALL_SCRIPTS_TIMEOUT_MS: '50' })).toThrow(/SPK_INSTALL_SCRIPTS_TIMEOUT_MS: must be 100 ms to 24 hours/);
    expect(() => loadConfig({ SPK_INSTALL_SCRIPTS_TIMEOUT_MS: String(25 * 3_600_000) })).toThrow(/SPK_INSTALL_SCRIPTS_TIMEOUT_MS: must be 100 ms to 24 hours/);
  });
});
