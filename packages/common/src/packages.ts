// Declared packages: the operator's intent, before anything is resolved.
import * as z from 'zod';
import { checkPackageRange, DEFAULT_RANGE, packageNameSchema, packageRangeSchema } from './package-spec.ts';

export const declaredPackageSchema = z.object({
  name: z.string(),
  range: z.string(),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type DeclaredPackage = z.infer<typeof declaredPackageSchema>;

function refineRange(value: { name: string; range?: string | undefined }, ctx: z.RefinementCtx): void {
  if (value.range === undefined) return;
  const problem = checkPackageRange(value.name, value.range);
  if (problem) ctx.addIssue({ code: 'custom', path: ['range'], message: problem });
}

export const addPackageInputSchema = z
  .strictObject({
    name: packageNameSchema,
    range: packageRangeSchema.default(DEFAULT_RANGE),
    enabled: z.boolean().default(true),
  })
  .superRefine(refineRange);
export type AddPackageInput = z.input<typeof addPackageInputSchema>;

export const updatePackageInputSchema = z
  .strictObject({
    name: packageNameSchema,
    range: packageRangeSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .superRefine(refineRange);
export type UpdatePackageInput = z.infer<typeof updatePackageInputSchema>;

export const packageNameInputSchema = z.strictObject({ name: packageNameSchema });

/**
 * What `packages.add` and `packages.update` answer: the declaration, plus warnings when it was
 * accepted without the registry check (the registry could not be reached or refused access).
 */
export const declaredPackageResultSchema = declaredPackageSchema.extend({
  warnings: z.array(z.string()).optional(),
});
export type DeclaredPackageResult = z.infer<typeof declaredPackageResultSchema>;

/** A declared package as `packages.list` shows it: what the desired tree holds, and whether the answering host runs it. */
export const listedPackageSchema = declaredPackageSchema.extend({
  /** The version at `node_modules/<name>` in the desired manifest; null until an install includes the package. */
  resolvedVersion: z.string().nullable(),
  /** Bytes of that version's tarball (as stored); null with resolvedVersion. */
  tarballSize: z.number().int().nonnegative().nullable(),
  /** The answering host runs the desired tree and that tree has the package at its top level. */
  installed: z.boolean(),
});
export type ListedPackage = z.infer<typeof listedPackageSchema>;

export const packageListSchema = z.object({
  packages: z.array(listedPackageSchema),
  /** The desired tree (the last committed install); null before the first one. */
  lockfileHash: z.string().nullable(),
  /** The core instance that answered, and the tree it runs. */
  host: z.object({ hostId: z.string(), lockfileHash: z.string().nullable() }),
});
export type PackageList = z.infer<typeof packageListSchema>;
