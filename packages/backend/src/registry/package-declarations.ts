// Declaring and changing packages as the API does it: refuse a name that differs from a declared
// one only in case, check the registry (declaration-check.ts), then write through the package
// store, passing on what the check had to say (a deprecated pick, a moving dist-tag, a registry
// that could not be asked). The store itself stays a plain table, so tests can still write any row.
import { SpkError, type DeclaredPackage, type DeclaredPackageResult } from '@spk/common';
import type { Logger } from '../services.ts';
import { alreadyDeclared, type PackageStore } from '../stores/package-store.ts';
import { checkDeclaration } from './declaration-check.ts';
import type { RegistryClient } from './registry-client.ts';

export interface PackageDeclarationsDeps {
  packages: PackageStore;
  registry: Pick<RegistryClient, 'lookup' | 'search'>;
  logger: Logger;
}

function withWarnings(pkg: DeclaredPackage, warnings: string[]): DeclaredPackageResult {
  return warnings.length > 0 ? { ...pkg, warnings } : pkg;
}

export function createPackageDeclarations(deps: PackageDeclarationsDeps) {
  const log = deps.logger.child({ component: 'declarations' });

  async function check(name: string, range: string): Promise<string[]> {
    const warnings = await checkDeclaration({ name, range }, { registry: deps.registry, logger: log });
    for (const warning of warnings) log.warn({ code: 'DECLARATION_WARNING', name }, warning);
    return warnings;
  }

  return {
    async add(input: { name: string; range: string; enabled: boolean }): Promise<DeclaredPackageResult> {
      // Cheap refusals first: no registry round trip for a name that cannot be declared anyway.
      const variants = await deps.packages.findIgnoringCase(input.name);
      if (variants.some((p) => p.name === input.name)) throw alreadyDeclared(input.name);
      const other = variants[0];
      if (other) {
        throw new SpkError(
          'PACKAGE_NAME_CONFLICT',
          `package "${input.name}" differs only in letter case from the declared "${other.name}"; both cannot be installed side by side (a case-insensitive file system holds only one), so keep one: change it with "spk packages set ${other.name}@<range>", or remove it first with "spk packages remove ${other.name}"`,
          { name: input.name, declared: other.name },
        );
      }
      const warnings = await check(input.name, input.range);
      return withWarnings(await deps.packages.add(input), warnings);
    },

    async update(input: { name: string; range?: string | undefined; enabled?: boolean | undefined }): Promise<DeclaredPackageResult> {
      const current = (await deps.packages.findIgnoringCase(input.name)).find((p) => p.name === input.name);
      const rangeChanges = current !== undefined && input.range !== undefined && input.range !== current.range;
      const warnings = rangeChanges ? await check(input.name, input.range!) : [];
      return withWarnings(await deps.packages.update(input), warnings);
    },
  };
}

export type PackageDeclarations = ReturnType<typeof createPackageDeclarations>;
