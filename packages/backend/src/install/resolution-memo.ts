// What a resolve produced for its inputs, kept so an install with the same inputs (declared set,
// registries, types settings, this resolver on this Node) whose every package document is unchanged
// reuses that resolution instead of running Arborist again: npm's resolution is a function of those
// inputs and documents. One file per inputs digest under <dataDir>/packument-cache/resolutions, the
// newest few kept; a damaged record is ignored. Records hold no secret: registry URLs carry none.
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { readFileIfPresent, writeFileAtomically } from '@spk/reconciler';
import type { RegistrySettings } from '@spk/common';
import type { ResolvedNode } from './resolve-tree.ts';

/** Raised whenever what a record holds, or how a resolve turns documents into nodes, changes. */
const RECORD_FORMAT = 1;
const KEPT_RECORDS = 8;
const require = createRequire(import.meta.url);
const RESOLVER = `arborist@${(require('@npmcli/arborist/package.json') as { version: string }).version}`;

export interface ResolutionInputs {
  packages: ReadonlyArray<{ name: string; range: string }>;
  settings: Pick<RegistrySettings, 'registry' | 'scopes'>;
  /** The types step's settings, or null without it. */
  types: { nodeMajor: number } | null;
}

const resolvedNodeSchema = z.strictObject({
  name: z.string(),
  version: z.string(),
  path: z.string(),
  registryIntegrity: z.string().nullable(),
  sha512: z.string().nullable(),
  resolved: z.string(),
  hasInstallScript: z.boolean(),
  bin: z.record(z.string(), z.string()),
  dependencies: z.record(z.string(), z.string()),
  addedForTypes: z.literal(true).optional(),
  deprecated: z.string().optional(),
}) satisfies z.ZodType<ResolvedNode>;

const recordSchema = z.strictObject({
  inputs: z.string(),
  nodes: z.array(resolvedNodeSchema),
  passes: z.number().int().nonnegative(),
  /** The types step's warnings: they are part of what the resolve reported. */
  warnings: z.array(z.string()),
  packuments: z.array(z.strictObject({ key: z.string(), digest: z.string().nullable() })),
});
export type ResolutionRecord = z.infer<typeof recordSchema>;

/** The digest of everything besides the documents that decides a resolution. */
export function inputsDigest(inputs: ResolutionInputs): string {
  const canonical = {
    format: RECORD_FORMAT,
    resolver: RESOLVER,
    // npm-pick-manifest prefers versions whose `engines.node` this Node satisfies; optional deps follow the platform.
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    packages: [...inputs.packages].map((p) => [p.name, p.range]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)),
    registry: inputs.settings.registry,
    scopes: Object.entries(inputs.settings.scopes).sort(([a], [b]) => (a < b ? -1 : 1)),
    types: inputs.types,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

function parseRecord(text: string | null): ResolutionRecord | null {
  if (text === null) return null;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface ResolutionMemo {
  read(inputs: string): Promise<ResolutionRecord | null>;
  /** The most recently written record, whatever its inputs: its documents are likely wanted again. */
  latest(): Promise<ResolutionRecord | null>;
  write(record: ResolutionRecord): Promise<void>;
}

export const resolutionMemoDir = (dataDir: string): string => path.join(dataDir, 'packument-cache', 'resolutions');

export function createResolutionMemo(dir: string): ResolutionMemo {
  const file = (inputs: string) => path.join(dir, `${inputs}.json`);
  /** Record files, newest first. */
  async function byAge(): Promise<string[]> {
    const listed = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const names = listed.filter((name) => /^[a-f0-9]{64}\.json$/.test(name));
    const dated = await Promise.all(names.map(async (name) => ({ name, at: (await stat(path.join(dir, name)).catch(() => null))?.mtimeMs ?? 0 })));
    return dated.sort((a, b) => b.at - a.at).map((entry) => entry.name);
  }
  return {
    async read(inputs) {
      const record = parseRecord(await readFileIfPresent(file(inputs)));
      return record?.inputs === inputs ? record : null;
    },
    async latest() {
      const [newest] = await byAge();
      return newest ? parseRecord(await readFileIfPresent(path.join(dir, newest))) : null;
    },
    async write(record) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFileAtomically(file(record.inputs), JSON.stringify(record), { mode: 0o600 });
      const stale = (await byAge()).slice(KEPT_RECORDS);
      await Promise.all(stale.map((name) => rm(path.join(dir, name), { force: true })));
    },
  };
}
