import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createResolutionMemo, inputsDigest, type ResolutionInputs, type ResolutionRecord } from './resolution-memo.ts';

const INPUTS: ResolutionInputs = {
  packages: [
    { name: 'zod', range: '^3' },
    { name: 'pg', range: '^8' },
  ],
  settings: { registry: 'https://registry.npmjs.org/', scopes: { '@acme': 'https://npm.acme.test/' } },
  types: { nodeMajor: 20 },
};

function record(inputs: string, version = '3.0.0'): ResolutionRecord {
  return {
    inputs,
    nodes: [
      {
        name: 'zod',
        version,
        path: 'node_modules/zod',
        registryIntegrity: 'sha512-AAAA',
        sha512: 'sha512-AAAA',
        resolved: `https://registry.npmjs.org/zod/-/zod-${version}.tgz`,
        hasInstallScript: false,
        bin: {},
        dependencies: {},
      },
    ],
    passes: 1,
    warnings: [],
    packuments: [{ key: 'full:https://registry.npmjs.org/zod', digest: 'a'.repeat(64) }],
  };
}

describe('the resolution memo', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spk-resolutions-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keys a resolution by everything that decides it, whatever the declaration order', () => {
    const base = inputsDigest(INPUTS);
    expect(inputsDigest({ ...INPUTS, packages: [...INPUTS.packages].reverse() })).toBe(base);
    expect(inputsDigest({ ...INPUTS, packages: [{ name: 'zod', range: '^4' }, INPUTS.packages[1]!] })).not.toBe(base);
    expect(inputsDigest({ ...INPUTS, settings: { ...INPUTS.settings, registry: 'https://mirror.test/' } })).not.toBe(base);
    expect(inputsDigest({ ...INPUTS, settings: { ...INPUTS.settings, scopes: {} } })).not.toBe(base);
    expect(inputsDigest({ ...INPUTS, types: { nodeMajor: 22 } })).not.toBe(base);
    expect(inputsDigest({ ...INPUTS, types: null })).not.toBe(base);
  });

  it('reads a record back under its inputs only, and the latest one whatever its inputs', async () => {
    const memo = createResolutionMemo(dir);
    const inputs = inputsDigest(INPUTS);
    expect(await memo.read(inputs)).toBeNull();
    expect(await memo.latest()).toBeNull();
    await memo.write(record(inputs));
    expect(await memo.read(inputs)).toEqual(record(inputs));
    expect(await memo.read(inputsDigest({ ...INPUTS, types: null }))).toBeNull();
    expect(await memo.latest()).toEqual(record(inputs));
  });

  it('ignores a damaged record, or one filed under other inputs', async () => {
    const memo = createResolutionMemo(dir);
    const inputs = inputsDigest(INPUTS);
    await writeFile(path.join(dir, `${inputs}.json`), '{"inputs":');
    expect(await memo.read(inputs)).toBeNull();
    const other = inputsDigest({ ...INPUTS, types: null });
    await writeFile(path.join(dir, `${inputs}.json`), JSON.stringify(record(other)));
    expect(await memo.read(inputs)).toBeNull();
    await writeFile(path.join(dir, `${inputs}.json`), JSON.stringify({ ...record(inputs), nodes: [{ name: 'zod' }] }));
    expect(await memo.read(inputs)).toBeNull();
  });

  it('keeps the newest few records', async () => {
    const memo = createResolutionMemo(dir);
    const digests: string[] = [];
    for (let major = 10; major < 20; major++) {
      const inputs = inputsDigest({ ...INPUTS, types: { nodeMajor: major } });
      digests.push(inputs);
      await memo.write(record(inputs));
      // Distinct modification times, so "newest" is well defined.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await readdir(dir)).toHaveLength(8);
    expect(await memo.read(digests[0]!)).toBeNull();
    expect(await memo.read(digests.at(-1)!)).not.toBeNull();
    expect((await memo.latest())?.inputs).toBe(digests.at(-1));
  });
});
