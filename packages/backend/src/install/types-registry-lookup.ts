// Asks the install's registry which versions of an `@types/*` package exist, with the very npm
// options the resolve uses (registry, scoped registries, token, timeout, abort signal). Full
// packuments (the kind Arborist asks for), through the resolve's packument cache, so the resolve
// that follows reads them from memory rather than asking the registry again.
import pacote from 'pacote';
import { z } from 'zod';
import { SpkError } from '@spk/common';
import type { AvailableVersions } from '../registry/available-versions.ts';
import type { NpmError } from '../registry/npm-errors.ts';
import type { TypesLookup } from './types-companions.ts';

const packumentSchema = z.object({
  versions: z.record(z.string(), z.unknown()).default({}),
  'dist-tags': z.record(z.string(), z.string()).default({}),
});

export function createRegistryTypesLookup(npmOptions: Record<string, unknown>, packumentCache?: pacote.Options['packumentCache']): TypesLookup {
  return {
    async available(name): Promise<AvailableVersions | null> {
      let body: unknown;
      try {
        body = await pacote.packument(name, { ...npmOptions, ...(packumentCache ? { packumentCache } : {}), fullMetadata: true, preferOnline: true } as pacote.Options & {
          fullMetadata: true;
        });
      } catch (error) {
        if ((error as NpmError).code === 'E404') return null;
        throw error;
      }
      const parsed = packumentSchema.safeParse(body);
      if (!parsed.success) throw new SpkError('RESOLVE_FAILED', `the registry's answer for ${name} is not a package document (no versions map)`);
      return { versions: Object.keys(parsed.data.versions), distTags: parsed.data['dist-tags'] };
    },
  };
}
