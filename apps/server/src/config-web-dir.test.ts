import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { DEFAULT_WEB_DIR } from './web-console.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

describe('the web console directory (SPK_WEB_DIR)', () => {
  it("defaults to this repository's apps/web/dist, set or empty alike", () => {
    expect(DEFAULT_WEB_DIR).toBe(path.join(REPO_ROOT, 'apps/web/dist'));
    expect(loadConfig({}).webDir).toBe(DEFAULT_WEB_DIR);
    expect(loadConfig({ SPK_WEB_DIR: '' }).webDir).toBe(DEFAULT_WEB_DIR);
  });

  it('is resolved against the working directory when set', () => {
    expect(loadConfig({ SPK_WEB_DIR: '/srv/console' }).webDir).toBe('/srv/console');
    expect(loadConfig({ SPK_WEB_DIR: 'console/dist' }).webDir).toBe(path.resolve('console/dist'));
  });
});
