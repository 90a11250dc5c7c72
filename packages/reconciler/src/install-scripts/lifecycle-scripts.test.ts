import { describe, expect, it } from 'vitest';
import { lifecycleScripts } from './lifecycle-scripts.ts';

describe('lifecycleScripts', () => {
  it("takes preinstall, install and postinstall in npm's order and nothing else", () => {
    const found = lifecycleScripts({ scripts: { postinstall: 'c', test: 'x', install: 'b', preinstall: 'a', prepare: 'y' } }, false);
    expect(found.stages).toEqual([
      { stage: 'preinstall', script: 'a' },
      { stage: 'install', script: 'b' },
      { stage: 'postinstall', script: 'c' },
    ]);
    expect(found.gypSkipped).toBe(false);
  });

  it('ignores empty and non-string scripts', () => {
    expect(lifecycleScripts({ scripts: { install: '  ', postinstall: 3 } }, false).stages).toEqual([]);
  });

  it("reports npm's implicit node-gyp rebuild as skipped, unless the package has its own install or preinstall or says gypfile: false", () => {
    expect(lifecycleScripts({ scripts: { postinstall: 'p' } }, true)).toEqual({ stages: [{ stage: 'postinstall', script: 'p' }], gypSkipped: true });
    expect(lifecycleScripts({}, true).gypSkipped).toBe(true);
    expect(lifecycleScripts({ scripts: { install: 'make' } }, true).gypSkipped).toBe(false);
    expect(lifecycleScripts({ scripts: { preinstall: 'x' } }, true).gypSkipped).toBe(false);
    expect(lifecycleScripts({ gypfile: false }, true).gypSkipped).toBe(false);
    expect(lifecycleScripts({}, false).gypSkipped).toBe(false);
  });
});
