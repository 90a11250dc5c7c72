// `hosts.fsck`: a host verifies its package store and trees against the verified blobs, and
// optionally repairs what differs. One entry per damaged path, in the store or in a tree.
import * as z from 'zod';
import { lockfileHashSchema } from './manifest.ts';

export const FSCK_LOCATIONS = ['blob', 'store', 'tree'] as const;
export const FSCK_PROBLEM_KINDS = [
  /** The cached tarball failed its integrity check (it is fetched again). */
  'blob',
  /** The package could not be checked at all (tarball unavailable or refused). */
  'unverifiable',
  'missing',
  'unexpected',
  'type',
  'content',
  'mode',
  'link',
] as const;
export type FsckProblemKind = (typeof FSCK_PROBLEM_KINDS)[number];

export const fsckInputSchema = z.strictObject({
  /** Rebuild what differs; without it fsck only reports (a corrupt cached tarball is still refetched). */
  repair: z.boolean().default(false),
});
export type FsckInput = z.input<typeof fsckInputSchema>;

export const fsckProblemSchema = z.object({
  /** `name@version`, or the integrity when the tarball does not say. */
  package: z.string(),
  integrity: z.string(),
  location: z.enum(FSCK_LOCATIONS),
  /** The tree, for `tree` problems. */
  lockfileHash: lockfileHashSchema.nullable(),
  /** Relative to the package's store dir (`store`) or to the tree root (`tree`); '' is the dir itself. */
  file: z.string(),
  kind: z.enum(FSCK_PROBLEM_KINDS),
  problem: z.string(),
  repaired: z.boolean(),
});
export type FsckProblem = z.infer<typeof fsckProblemSchema>;

export const fsckResultSchema = z.object({
  hostId: z.string(),
  /** The tree `current` points at, if complete. */
  currentTree: lockfileHashSchema.nullable(),
  checked: z.object({
    /** Store entries compared with their tarball. */
    packages: z.number().int().nonnegative(),
    files: z.number().int().nonnegative(),
    trees: z.number().int().nonnegative(),
  }),
  damaged: z.array(fsckProblemSchema),
  /** How many of `damaged` were repaired. */
  repaired: z.number().int().nonnegative(),
});
export type FsckResult = z.infer<typeof fsckResultSchema>;
