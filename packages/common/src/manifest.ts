// The resolved, installable set: one entry per package instance in the hoisted node_modules
// layout. Its canonical form is hashed into `lockfileHash`, which names a tree on every host.
import * as z from 'zod';
import { SHA512_SRI } from './integrity.ts';

export const integritySchema = z.string().regex(SHA512_SRI, 'expected a sha512 SRI integrity ("sha512-" + base64)');
export const lockfileHashSchema = z.string().regex(/^[a-f0-9]{64}$/, 'expected a sha256 hex digest');

/** `node_modules/a/node_modules/@s/b`: no empty, `.` or `..` segments, no absolute paths. */
export const treePathSchema = z
  .string()
  .regex(/^node_modules\/(?:@[^/]+\/)?[^/]+(?:\/node_modules\/(?:@[^/]+\/)?[^/]+)*$/, 'expected a node_modules path')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..' || s === ''), 'a tree path may not contain "." or ".." segments');

export const manifestEntrySchema = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1),
  path: treePathSchema,
  integrity: integritySchema,
  size: z.number().int().nonnegative(),
  hasInstallScript: z.boolean(),
  bin: z.record(z.string(), z.string()),
  dependencies: z.record(z.string(), z.string()),
  /** Not declared: the installer added it so the script editor has types (an `@types/*` companion or `@types/node`). */
  addedForTypes: z.literal(true).optional(),
  /** Its lifecycle scripts (preinstall, install, postinstall) are allowed: hosts run them before the tree becomes current. */
  scriptsAllowed: z.literal(true).optional(),
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

export const manifestSchema = z.array(manifestEntrySchema);
export type Manifest = ManifestEntry[];

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Stable string form: entries sorted by path, keys sorted at every level. */
export function canonicalManifest(manifest: Manifest): string {
  const sorted = [...manifest].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return JSON.stringify(sortKeys(sorted));
}

/** sha256 hex of the canonical manifest, via WebCrypto so it runs in Node and browsers alike. */
export async function computeLockfileHash(manifest: Manifest): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalManifest(manifest));
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Distinct blobs a manifest needs: one per integrity, however many paths share it. */
export function uniqueBlobs(manifest: Manifest): Array<{ integrity: string; size: number }> {
  const seen = new Map<string, number>();
  for (const entry of manifest) if (!seen.has(entry.integrity)) seen.set(entry.integrity, entry.size);
  return [...seen].map(([integrity, size]) => ({ integrity, size }));
}
