import { describe, expect, it } from 'vitest';
import { serverEnv } from './spawn-server.ts';

describe('serverEnv', () => {
  const settings = { PORT: '4000', SPK_DATA_DIR: '/tmp/spk-data' };

  it("leaves out an SPK_SECRET_KEY exported in the developer's shell, so the server generates its key file", () => {
    const env = serverEnv(settings, undefined, { PATH: '/usr/bin', SPK_SECRET_KEY: 'key-from-the-shell', SPK_DATA_DIR: '/elsewhere' });
    expect(env).toEqual({ PATH: '/usr/bin', PORT: '4000', SPK_DATA_DIR: '/tmp/spk-data' });
  });

  it('passes SPK_SECRET_KEY when the test gives it, and lets the test override any setting', () => {
    const env = serverEnv(settings, { SPK_SECRET_KEY: 'key-from-the-test', PORT: '5000' }, { SPK_SECRET_KEY: 'key-from-the-shell' });
    expect(env).toEqual({ PORT: '5000', SPK_DATA_DIR: '/tmp/spk-data', SPK_SECRET_KEY: 'key-from-the-test' });
  });
});
