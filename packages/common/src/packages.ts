// Declared packages: the operator's intent, before anything is resolved.
import { z } from 'zod';
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
