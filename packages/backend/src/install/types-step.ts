// The resolve's optional step that adds packages for the script editor's types (`@types/node` of
// the hosts' major, `@types/*` companions), wired to the install's registry and logger. Its
// failures cost the additions, not the install: each is logged by code and kept as an install
// warning, with the mapped message (URL credentials redacted) so the operator sees it in install.state.
import { redactUrlCredentials } from '@spk/common';
import { errorCode } from '../errors/driver-error.ts';
import type { Logger } from '../services.ts';
import { toResolveError, type RegistryNaming } from './npm-error-mapping.ts';
import type { TypesStep } from './resolve-tree.ts';
import { planCompanions, planNodeTypes } from './types-companions.ts';
import { createRegistryTypesLookup } from './types-registry-lookup.ts';

export interface TypesStepInput {
  declared: ReadonlyArray<{ name: string }>;
  /** The resolve's own npm options: lookups ask the same registries with the same credentials. */
  npmOptions: Record<string, unknown>;
  registries: RegistryNaming;
  signal: AbortSignal;
  /** The Node major whose `@types/node` is added. */
  nodeMajor: number;
  logger: Logger;
  /** Where each failure's warning is pushed. */
  warnings: string[];
}

/** Failed lookups named one by one in install.state; the rest (one per untyped package at worst) are counted. */
export const MAX_LOOKUP_WARNINGS = 5;

/** Pushes the first `max` warnings it is given into `warnings`, then keeps one line counting the others up to date. */
export function cappedLookupWarnings(warnings: string[], max = MAX_LOOKUP_WARNINGS): (warning: string) => void {
  let listed = 0;
  let more = 0;
  let countLine = -1;
  return (warning) => {
    if (listed < max) {
      listed++;
      warnings.push(warning);
      return;
    }
    more++;
    const line = `${more} more lookup${more === 1 ? '' : 's'} of types failed; installed without them (the server log names each package)`;
    if (countLine < 0) countLine = warnings.push(line) - 1;
    else warnings[countLine] = line;
  };
}

export function createTypesStep(input: TypesStepInput): TypesStep {
  const { declared, logger, warnings } = input;
  const failure = (error: unknown) => toResolveError(error, input.registries).message;
  const warnLookup = cappedLookupWarnings(warnings);
  const context = (packumentCache: Parameters<TypesStep['plan']>[1]) => ({
    lookup: createRegistryTypesLookup(input.npmOptions, packumentCache),
    logger,
    signal: input.signal,
    lookupFailed: (what: string, error: unknown) => warnLookup(`${what} failed (${failure(error)}); installed without it`),
  });
  return {
    beforeResolve: async (packumentCache) => {
      const nodeTypes = await planNodeTypes({ ...context(packumentCache), declared, nodeMajor: input.nodeMajor });
      return nodeTypes ? [nodeTypes] : [];
    },
    plan: (topLevel, packumentCache) => planCompanions({ ...context(packumentCache), declared, topLevel }),
    planFailed: (error) => {
      // The code only in the log: a raw message could carry a registry URL with its credentials.
      logger.warn({ code: errorCode(error) }, 'choosing the packages to add for types failed; installing without them');
      warnings.push(`choosing the packages to add for the script editor's types failed (${failure(error)}); installed without them`);
    },
    rebuildFailed: (error, additions) => {
      const packages = additions.map((a) => `${a.name}@${a.version}`);
      const message = redactUrlCredentials(error.message);
      logger.warn({ code: error.code, npmCode: error.details?.npmCode ?? null, packages }, `resolving with the packages added for types failed (${message}); installing without them`);
      warnings.push(`the packages added for the script editor's types (${packages.join(', ')}) could not be resolved (${message}); installed without them`);
    },
  };
}
