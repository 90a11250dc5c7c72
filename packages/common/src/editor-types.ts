// Type acquisition for script editors: what the core serves for one lockfile hash (the index of
// importable packages, and each package's declaration-file closure) and where. Browser-safe: the
// `packages/type-acquisition` client parses every answer with these schemas.
import * as z from 'zod';
import { TYPES_PREFIX } from './http-paths.ts';
import { lockfileHashSchema } from './manifest.ts';
import { packageNameSchema } from './package-spec.ts';

/** The package whose closure types the script runtime's Node built-ins (`process`, `node:fs`). */
export const NODE_TYPES_PACKAGE = '@types/node';
/** Default ceiling of one closure's content; over it files are dropped and `truncated` is set. */
export const DEFAULT_TYPES_MAX_BYTES = 8 * 1024 * 1024;
/** Every served file lives under this virtual root, as Monaco's `addExtraLib` and a language service host see it. */
export const TYPES_VIRTUAL_ROOT = 'file:///';

/** DefinitelyTyped's name for a package's types: `lodash` -> `@types/lodash`, `@scope/name` -> `@types/scope__name`. */
export function atTypesName(name: string): string {
  return name.startsWith('@') ? `@types/${name.slice(1).replace('/', '__')}` : `@types/${name}`;
}

/** The package a bare import specifier names: `lodash/fp` -> `lodash`, `@s/n/x` -> `@s/n`; null for relative, absolute, URL and `node:` ones. */
export function packageNameOfSpecifier(specifier: string): string | null {
  if (specifier === '' || specifier.startsWith('.') || specifier.startsWith('/') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(specifier)) return null;
  const parts = specifier.split('/');
  if (specifier.startsWith('@')) return parts.length >= 2 && parts[1] ? `${parts[0]}/${parts[1]}` : null;
  return parts[0] ?? null;
}

export const typeFileSchema = z.object({
  /** `file:///node_modules/<tree path>/<file>`: the file's place in the installed tree. */
  path: z.string().startsWith(`${TYPES_VIRTUAL_ROOT}node_modules/`),
  content: z.string(),
});
export type TypeFile = z.infer<typeof typeFileSchema>;

export const typeClosureSchema = z.object({
  name: z.string(),
  /** The version at `node_modules/<name>` in the tree. */
  version: z.string(),
  /** Declaration files and trimmed package.json files, each once. */
  files: z.array(typeFileSchema),
  /** The package ships its own declarations. */
  hasOwnTypes: z.boolean(),
  /** Its `@types/*` companion is installed and part of the closure. */
  hasAtTypes: z.boolean(),
  /** Neither: the editor types the package as `any`. */
  notFound: z.boolean(),
  /** The closure passed the content ceiling: some files were left out. */
  truncated: z.boolean(),
  /** UTF-8 bytes of every file's content. */
  bytes: z.number().int().nonnegative(),
});
export type TypeClosure = z.infer<typeof typeClosureSchema>;

export const typesIndexEntrySchema = z.object({
  name: z.string(),
  version: z.string(),
  /** Size of its closure once computed on the answering instance; null before. */
  closureBytes: z.number().int().nonnegative().nullable(),
  closureFiles: z.number().int().nonnegative().nullable(),
});
export type TypesIndexEntry = z.infer<typeof typesIndexEntrySchema>;

export const typesIndexSchema = z.object({
  lockfileHash: lockfileHashSchema,
  /** Importable packages: the manifest's top-level names without `@types/*`, sorted. */
  packages: z.array(typesIndexEntrySchema),
  /** The installed `@types/node` (the Node built-ins' types), or null when the tree has none. */
  nodeTypes: z.object({ name: z.literal(NODE_TYPES_PACKAGE), version: z.string() }).nullable(),
});
export type TypesIndex = z.infer<typeof typesIndexSchema>;

export const typesIndexInputSchema = z.strictObject({
  /** Omitted: the answering instance's current tree. */
  lockfileHash: lockfileHashSchema.optional(),
});
export const typesClosureInputSchema = z.strictObject({ lockfileHash: lockfileHashSchema, name: packageNameSchema });

/** `GET /types` (the current index, not cacheable), `GET /types/<hash>` (that hash's index, immutable). */
export function typesIndexPath(lockfileHash?: string): string {
  return lockfileHash === undefined ? TYPES_PREFIX : `${TYPES_PREFIX}/${lockfileHash}`;
}

/** `GET /types/<hash>/<encoded name>`: one package's closure, immutable. */
export function typesClosurePath(lockfileHash: string, name: string): string {
  return `${TYPES_PREFIX}/${lockfileHash}/${encodeURIComponent(name)}`;
}
