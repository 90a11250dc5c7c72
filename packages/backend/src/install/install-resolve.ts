// One install's resolve step, wired: a packument session over the persistent cache, the resolution
// memo (the last resolution of the same inputs is reused when none of its documents changed), and
// Arborist with the optional types step. It also names the blobs the result will likely hold, so
// the pipeline checks them while the resolve runs, and reports what the install logs.
import { isSpkError } from '@spk/common';
import type { Logger } from '../services.ts';
import type { RegistryAccess } from '../stores/settings-store.ts';
import type { PackumentCache } from '../packument-cache/packument-cache.ts';
import { errorCode } from '../errors/driver-error.ts';
import { createPackumentSession } from './packument-session.ts';
import type { ResolutionMemo } from './resolution-memo.ts';
import { resolveTree, type ResolvedNode } from './resolve-tree.ts';
import { likelyIntegrities, readPrior, resolveOrReuse } from './reused-resolution.ts';
import { createTypesStep } from './types-step.ts';

export interface InstallResolveInput {
  packages: ReadonlyArray<{ name: string; range: string }>;
  registries: RegistryAccess;
  /** The install's npm options (registry, credentials, agent, its abort signal). */
  npmOptions: Record<string, unknown>;
  signal: AbortSignal;
  scratchDir: string;
  packumentCache: PackumentCache;
  memo: ResolutionMemo;
  /** The Node major whose `@types/node` (and `@types/*` companions) are added; null: no types step. */
  types: { nodeMajor: number } | null;
  logger: Logger;
}

export function createInstallResolve(input: InstallResolveInput) {
  const { packages, registries, npmOptions, signal, logger } = input;
  const warnings: string[] = [];
  const session = createPackumentSession(input.packumentCache, npmOptions);
  const typesStep = input.types
    ? { types: createTypesStep({ declared: packages, npmOptions, registries, signal, nodeMajor: input.types.nodeMajor, logger, warnings }) }
    : {};
  const memoFailed = (error: unknown) => logger.warn({ code: errorCode(error) }, 'reading or keeping the resolution record failed; installs resolve in full meanwhile');
  const prior = readPrior(input.memo, { packages, settings: registries.settings, types: input.types }, memoFailed);
  let passes = 0;
  let reused = false;
  const arborist = async () => {
    warnings.length = 0;
    const fresh = await resolveTree({ packages: [...packages], scratchDir: input.scratchDir, npmOptions, registries, packumentCache: session.packumentCache, ...typesStep });
    return { nodes: fresh.nodes, passes: fresh.passes, warnings: [...warnings] };
  };

  return {
    /** The types step's warnings (replayed when the resolution is reused). */
    warnings,
    likely: async (): Promise<string[]> => likelyIntegrities(await prior),
    async resolve(): Promise<ResolvedNode[]> {
      const resolved = await resolveOrReuse({
        memo: input.memo,
        prior: await prior,
        session,
        resolve: async () => {
          try {
            return await arborist();
          } catch (error) {
            // A kept document, fresh but older than the registry's, may lack the version a range
            // needs: the registry is asked for every document before the install fails for it.
            if (!isSpkError(error, 'NO_MATCHING_VERSION') || session.counts().fresh === 0) throw error;
            session.refresh();
            return arborist();
          }
        },
        memoFailed,
      });
      passes = resolved.passes;
      reused = resolved.reused;
      if (resolved.reused) warnings.push(...resolved.warnings);
      return resolved.nodes;
    },
    /** For the install's log line. */
    report: () => ({ resolvePasses: passes, resolveReused: reused, packuments: session.counts() }),
  };
}
