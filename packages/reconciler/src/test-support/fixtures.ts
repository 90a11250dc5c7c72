// Fixture package sets: real tarballs built in memory, their manifest and lockfile hash, and
// a blob source that counts fetches and can serve corrupt bytes on demand.
import { computeLockfileHash, type Manifest } from '@spk/common';
import { integrityOf, packageTarball } from './tarball.ts';

export interface FixturePackage {
  name: string;
  version: string;
  /** Defaults to `node_modules/<name>`. */
  path?: string;
  files: Record<string, string>;
  bin?: Record<string, string>;
  /** Tarball top folder (npm uses `package`). */
  top?: string;
  /** Use these bytes instead of packing `files` (for malicious tarballs). */
  tarball?: Buffer;
  /** The manifest lets this package's lifecycle scripts run. */
  scriptsAllowed?: true;
  /** The manifest's dependency names and ranges (only used to order lifecycle scripts). */
  dependencies?: Record<string, string>;
}

const LIFECYCLE = ['preinstall', 'install', 'postinstall'];
function hasInstallScript(packageJson: string): boolean {
  const scripts = (JSON.parse(packageJson) as { scripts?: Record<string, unknown> }).scripts ?? {};
  return LIFECYCLE.some((stage) => typeof scripts[stage] === 'string');
}

export interface Fixture {
  lockfileHash: string;
  manifest: Manifest;
  blobs: Map<string, Buffer>;
}

export async function buildFixture(packages: readonly FixturePackage[]): Promise<Fixture> {
  const blobs = new Map<string, Buffer>();
  const manifest: Manifest = packages.map((pkg) => {
    const files = { 'package.json': JSON.stringify({ name: pkg.name, version: pkg.version }), ...pkg.files };
    const tarball = pkg.tarball ?? packageTarball(files, pkg.top);
    const integrity = integrityOf(tarball);
    blobs.set(integrity, tarball);
    return {
      name: pkg.name,
      version: pkg.version,
      path: pkg.path ?? `node_modules/${pkg.name}`,
      integrity,
      size: tarball.length,
      hasInstallScript: hasInstallScript(files['package.json']),
      bin: pkg.bin ?? {},
      dependencies: pkg.dependencies ?? {},
      ...(pkg.scriptsAllowed ? { scriptsAllowed: true as const } : {}),
    };
  });
  return { lockfileHash: await computeLockfileHash(manifest), manifest, blobs };
}

/** `ver@<version>`: an ESM package whose default export names its version. */
export const versioned = (version: string): FixturePackage => ({
  name: 'ver',
  version,
  files: {
    'package.json': JSON.stringify({ name: 'ver', version, type: 'module', exports: './index.js' }),
    'index.js': `export default ${JSON.stringify(version)};\n`,
  },
});

/** ESM, CommonJS, scoped (with an unusual top folder and a bin) and two versions of `dep`. */
export const mixedPackages: FixturePackage[] = [
  {
    name: 'esm-pkg',
    version: '1.0.0',
    files: {
      'package.json': JSON.stringify({ name: 'esm-pkg', version: '1.0.0', type: 'module', exports: './index.js' }),
      'index.js': "export default 'esm-pkg says hi';\nexport const kind = 'esm';\n",
    },
  },
  {
    name: 'cjs-pkg',
    version: '1.0.0',
    files: { 'index.js': "const dep = require('dep');\nmodule.exports = { kind: 'cjs', depVersion: dep.version };\n" },
  },
  { name: 'dep', version: '1.0.0', files: { 'index.js': "module.exports = { version: '1.0.0' };\n" } },
  {
    name: 'dep',
    version: '2.0.0',
    path: 'node_modules/cjs-pkg/node_modules/dep',
    files: { 'index.js': "module.exports = { version: '2.0.0' };\n" },
  },
  {
    name: '@scope/tool',
    version: '1.0.0',
    top: 'tool',
    bin: { tool: 'bin/cli.js' },
    files: {
      'package.json': JSON.stringify({ name: '@scope/tool', version: '1.0.0', type: 'module', main: 'index.js' }),
      'index.js': 'export const scoped = true;\n',
      'bin/cli.js': "#!/usr/bin/env node\nconsole.log('tool');\n",
    },
  },
];

export interface BlobSourceDouble {
  fetchBlob(integrity: string): Promise<Uint8Array>;
  /** Integrities in the order they were fetched. */
  calls: string[];
  /** Serve garbage for this integrity the next `times` fetches. */
  corruptNext(integrity: string, times?: number): void;
}

export function blobSource(...fixtures: Fixture[]): BlobSourceDouble {
  const all = new Map<string, Buffer>();
  for (const fixture of fixtures) for (const [integrity, bytes] of fixture.blobs) all.set(integrity, bytes);
  const corrupt = new Map<string, number>();
  const calls: string[] = [];
  return {
    calls,
    corruptNext: (integrity, times = 1) => corrupt.set(integrity, times),
    async fetchBlob(integrity) {
      calls.push(integrity);
      const bytes = all.get(integrity);
      if (!bytes) throw new Error(`no such blob ${integrity}`);
      const left = corrupt.get(integrity) ?? 0;
      if (left > 0) {
        corrupt.set(integrity, left - 1);
        const bad = Buffer.from(bytes);
        bad[bad.length - 20]! ^= 0xff;
        return bad;
      }
      return bytes;
    },
  };
}
