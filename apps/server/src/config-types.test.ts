import { describe, expect, it } from 'vitest';
import { DEFAULT_TYPES_MAX_BYTES } from '@spk/common';
import { loadConfig } from './config.ts';

const ownMajor = Number(process.versions.node.split('.')[0]);

describe('editor types settings', () => {
  it('default to an 8 MiB ceiling, auto-added @types, and the Node major the server runs', () => {
    for (const env of [{}, { SPK_TYPES_MAX_MB: '', SPK_TYPES_AUTO_ADD: '', SPK_TYPES_NODE_MAJOR: '' }]) {
      expect(loadConfig(env).types).toEqual({ maxBytes: DEFAULT_TYPES_MAX_BYTES, autoAdd: true, nodeMajor: ownMajor });
    }
    expect(DEFAULT_TYPES_MAX_BYTES).toBe(8 * 1024 * 1024);
  });

  it('reads a ceiling in MiB (fractions too), true/false/1/0, and a Node major', () => {
    expect(loadConfig({ SPK_TYPES_MAX_MB: '2', SPK_TYPES_AUTO_ADD: 'false', SPK_TYPES_NODE_MAJOR: '22' }).types).toEqual({ maxBytes: 2 * 1024 * 1024, autoAdd: false, nodeMajor: 22 });
    expect(loadConfig({ SPK_TYPES_MAX_MB: '0.5' }).types.maxBytes).toBe(512 * 1024);
    expect(loadConfig({ SPK_TYPES_AUTO_ADD: '0' }).types.autoAdd).toBe(false);
    expect(loadConfig({ SPK_TYPES_AUTO_ADD: '1' }).types.autoAdd).toBe(true);
    expect(loadConfig({ SPK_TYPES_AUTO_ADD: 'true' }).types.autoAdd).toBe(true);
  });

  it.each([
    ['SPK_TYPES_MAX_MB', '0', 'must be a positive number of MiB'],
    ['SPK_TYPES_MAX_MB', '-1', 'must be a positive number of MiB'],
    ['SPK_TYPES_MAX_MB', 'lots', 'must be a number of MiB'],
    ['SPK_TYPES_AUTO_ADD', 'yes', 'must be true or false (or 1 or 0)'],
    ['SPK_TYPES_NODE_MAJOR', '16', 'must be 18 or later'],
    ['SPK_TYPES_NODE_MAJOR', '20.5', 'must be a Node major version such as 20'],
    ['SPK_TYPES_NODE_MAJOR', 'lts', 'must be a Node major version such as 20'],
  ])('refuses %s=%s, saying what it must be', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(`${name}: ${message}`);
  });
});
