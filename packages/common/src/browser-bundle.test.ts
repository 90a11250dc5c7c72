// The root of @spk/common (the oRPC contract included) and the type-acquisition client are meant
// for browsers: bundled by esbuild for the browser platform, nothing may pull in a Node built-in.
// The negative cases show the check catches a module that does.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const COMMON_ENTRY = path.join(REPO_ROOT, 'packages/common/src/index.ts');
const TYPE_ACQUISITION_ENTRY = path.join(REPO_ROOT, 'packages/type-acquisition/src/index.ts');
const DISABLED = '(disabled):';

interface BrowserBundle {
  /** esbuild's errors; empty when the build succeeded. */
  errors: string[];
  /** The metafile's input paths, relative to the repo root. */
  inputs: string[];
  code: string;
}

/** `external`: specifiers esbuild leaves alone; `nodePaths`: where a temp entry outside the repo finds packages. */
async function bundleForBrowser(entry: string, { external = [], nodePaths = [] }: { external?: string[]; nodePaths?: string[] } = {}): Promise<BrowserBundle> {
  try {
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: REPO_ROOT,
      platform: 'browser',
      format: 'esm',
      bundle: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
      external,
      nodePaths,
    });
    return { errors: [], inputs: Object.keys(result.metafile.inputs), code: result.outputFiles.map((f) => f.text).join('\n') };
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string }> }).errors;
    if (!errors) throw error;
    return { errors: errors.map((e) => e.text), inputs: [], code: '' };
  }
}

/** `require("x")` (esbuild's `__require("x")` too), `import("x")`, `from "x"` and `import "x"` in the output. */
const MODULE_REFERENCES = [/require\s*\(\s*(["'`])([^"'`\n]+)\1\s*\)/g, /\bimport\s*\(\s*(["'`])([^"'`\n]+)\1\s*\)/g, /\b(?:from|import)\s*(["'])([^"'\n]+)\1/g];

/**
 * Every way a Node built-in got into the bundle: a failed build, a metafile input that is a
 * built-in (or a module disabled for the browser that `allowDisabled` does not expect), and a
 * reference to one left in the output.
 */
function nodeBuiltinUses(bundle: BrowserBundle, allowDisabled: (name: string) => boolean = () => false): string[] {
  const uses = bundle.errors.map((text) => `build failed: ${text}`);
  for (const input of bundle.inputs) {
    if (isBuiltin(input)) uses.push(`input ${input}`);
    if (input.startsWith(DISABLED) && !allowDisabled(input.slice(DISABLED.length))) uses.push(`input ${input}`);
  }
  for (const pattern of MODULE_REFERENCES) {
    for (const match of bundle.code.matchAll(pattern)) {
      if (isBuiltin(match[2]!)) uses.push(`output references ${match[0]}`);
    }
  }
  return uses;
}

describe('browser bundles', () => {
  it('bundle the root of @spk/common, the contract included, with no Node built-in and none of npm\'s parsers', async () => {
    const bundle = await bundleForBrowser(COMMON_ENTRY);
    expect(nodeBuiltinUses(bundle)).toEqual([]);
    expect(bundle.inputs).toEqual(expect.arrayContaining(['packages/common/src/contract.ts', 'packages/common/src/package-spec.ts', 'packages/common/src/spec-reading.ts']));
    expect(bundle.inputs.filter((input) => /npm-package-arg|validate-npm-package-name|hosted-git-info|\/src\/node\//.test(input))).toEqual([]);
    expect(bundle.code).toContain('only registry specs are allowed');
  }, 30_000);

  it('bundle the type-acquisition client with no Node built-in beyond what TypeScript itself disables for browsers', async () => {
    const typescriptPackage = JSON.parse(await readFile(path.join(REPO_ROOT, 'node_modules/typescript/package.json'), 'utf8')) as { browser: Record<string, false> };
    const disabledByTypeScript = Object.keys(typescriptPackage.browser);
    const bundle = await bundleForBrowser(TYPE_ACQUISITION_ENTRY);
    const allowed = (name: string) => disabledByTypeScript.some((key) => name === key || name.startsWith(`node_modules/${key}/`));
    expect(nodeBuiltinUses(bundle, allowed)).toEqual([]);
    expect(bundle.inputs).toEqual(expect.arrayContaining(['packages/type-acquisition/src/index.ts', 'packages/common/src/index.ts', 'node_modules/typescript/lib/typescript.js']));
  }, 60_000);

  describe('catch a module that uses Node', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'spk-browser-bundle-'));
      await writeFile(path.join(dir, 'esm-node-fs.ts'), "import { readFileSync } from 'node:fs';\nexport const read = (file: string) => readFileSync(file, 'utf8');\n");
      await writeFile(path.join(dir, 'cjs-fs.cjs'), "const fs = require('fs');\nmodule.exports = (file) => fs.readFileSync(file, 'utf8');\n");
      await writeFile(path.join(dir, 'npm-parser.ts'), "import npa from 'npm-package-arg';\nexport const parse = (spec: string) => npa(spec);\n");
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('a module importing node:fs fails the build', async () => {
      const uses = nodeBuiltinUses(await bundleForBrowser(path.join(dir, 'esm-node-fs.ts')));
      expect(uses).toEqual([expect.stringMatching(/^build failed: Could not resolve "node:fs"/)]);
    });

    it('and if the build let it through (marked external), the output still shows it', async () => {
      const esm = await bundleForBrowser(path.join(dir, 'esm-node-fs.ts'), { external: ['node:*'] });
      expect(esm.errors).toEqual([]);
      expect(nodeBuiltinUses(esm)).toEqual([expect.stringContaining('output references from "node:fs"')]);
      const cjs = await bundleForBrowser(path.join(dir, 'cjs-fs.cjs'), { external: ['fs'] });
      expect(cjs.errors).toEqual([]);
      expect(nodeBuiltinUses(cjs)).toEqual([expect.stringContaining('require("fs")')]);
    });

    it('a module using npm-package-arg, as the root of @spk/common once did, fails the build', async () => {
      const uses = nodeBuiltinUses(await bundleForBrowser(path.join(dir, 'npm-parser.ts'), { nodePaths: [path.join(REPO_ROOT, 'node_modules')] }));
      expect(uses.length).toBeGreaterThan(0);
      expect(uses.join('\n')).toMatch(/Could not resolve "(node:)?(url|path|os|module)"/);
    });
  });
});
