// `spk packages ...`: declare, change and remove packages. Specs and names are checked here with
// the shared parsers, so a git/file/URL/alias spec is refused before any request is sent.
import { checkPackageName, nonRegistrySpecKind, parsePackageSpec, SpkError, type ParsedSpec } from '@spk/common';
import type { Command } from '../args.ts';
import { formatPackage, formatPackageList } from '../format.ts';
import { printResult, type CommandContext } from './context.ts';

type PackagesCommand = Extract<Command, { kind: `packages.${string}` }>;

/** A package name given alone (no range), checked with npm's rules before any request. */
export function checkName(name: string): string {
  const problem = checkPackageName(name);
  if (problem) throw new SpkError('INVALID_SPEC', problem, { name });
  return name;
}

/**
 * What the declaration check has to say (a deprecated version picked, a dist-tag range, or no check
 * at all because the registry did not answer): on stderr; `--json` carries them in `warnings`.
 */
function printWarnings(ctx: CommandContext, warnings: readonly string[] | undefined): void {
  if (ctx.json) return;
  for (const warning of warnings ?? []) ctx.io.stderr(`warning: ${warning}\n`);
}

/** `set` changes a range, so a bare name (which would mean "latest") must be explicit. */
export function parseRangeChange(spec: string): ParsedSpec {
  const trimmed = spec.trim();
  // A URL or a path has no "@range" either, but is refused for what it is by parsePackageSpec.
  if (nonRegistrySpecKind(trimmed) === null && trimmed.indexOf('@', trimmed.startsWith('@') ? 1 : 0) === -1) {
    throw new SpkError('INVALID_SPEC', `"${spec}" has no range; write it as ${trimmed}@<range>, e.g. ${trimmed}@latest`, { spec });
  }
  return parsePackageSpec(trimmed);
}

export async function runPackagesCommand(ctx: CommandContext, command: PackagesCommand): Promise<void> {
  const { packages } = ctx.client;
  switch (command.kind) {
    case 'packages.list': {
      const result = await packages.list();
      printResult(ctx, result, formatPackageList(result));
      return;
    }
    case 'packages.add': {
      const { name, range } = parsePackageSpec(command.spec);
      const added = await packages.add({ name, range, enabled: !command.disabled });
      printWarnings(ctx, added.warnings);
      printResult(ctx, added, `added ${formatPackage(added)}; run \`spk install\` to install it`);
      return;
    }
    case 'packages.set': {
      const { name, range } = parseRangeChange(command.spec);
      const updated = await packages.update({ name, range });
      printWarnings(ctx, updated.warnings);
      printResult(ctx, updated, `updated ${formatPackage(updated)}; run \`spk install\` to apply it`);
      return;
    }
    case 'packages.enable':
    case 'packages.disable': {
      const enabled = command.kind === 'packages.enable';
      const updated = await packages.update({ name: checkName(command.name), enabled });
      printResult(ctx, updated, `${enabled ? 'enabled' : 'disabled'} ${formatPackage(updated)}; run \`spk install\` to apply it`);
      return;
    }
    case 'packages.remove': {
      const result = await packages.remove({ name: checkName(command.name) });
      printResult(ctx, result, `removed ${formatPackage(result.removed)}; run \`spk install\` to apply it`);
      return;
    }
  }
}
