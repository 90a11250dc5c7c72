// `spk packages scripts | allow-scripts | disallow-scripts`: the install-scripts policy. Lifecycle
// scripts are off for every package until an admin allows one by name; the installer applies the
// policy when it builds a tree, so every change says it takes effect at the next `spk install`.
import type { ScriptsPolicy } from '@spk/common';
import type { Command } from '../args.ts';
import { renderTable } from '../format.ts';
import { printResult, type CommandContext } from './context.ts';
import { checkName } from './packages.ts';

type InstallScriptsCommand = Extract<Command, { kind: `installScripts.${string}` }>;

const NEXT_INSTALL = 'it takes effect at the next install (`spk install`)';

/** What hosts do with each package's scripts in the desired tree, and what the next install changes. */
export function formatScriptsPolicy(policy: ScriptsPolicy): string {
  const allowed = new Set(policy.allowed.map((a) => a.name));
  const lines: string[] = [];
  if (policy.withScripts.length === 0) {
    lines.push('no package of the desired tree has install scripts');
  } else {
    const rows = policy.withScripts.map((p) => {
      const change = p.allowed === allowed.has(p.name) ? '' : allowed.has(p.name) ? ' (allowed from the next install)' : ' (disallowed from the next install)';
      return [p.name, p.version, p.path, `${p.allowed ? 'yes' : 'no'}${change}`];
    });
    lines.push(renderTable(['NAME', 'VERSION', 'PATH', 'SCRIPTS RUN'], rows));
  }
  lines.push('');
  lines.push(
    policy.allowed.length === 0
      ? 'no package is allowed to run install scripts (allow one with `spk packages allow-scripts <name>`)'
      : `allowed to run install scripts: ${policy.allowed.map((a) => a.name).join(', ')}`,
  );
  return lines.join('\n');
}

/** Whether the desired tree has `name` with install scripts; a note when it does not (allowing it ahead is fine). */
function absentNote(policy: ScriptsPolicy, name: string): string {
  return policy.withScripts.some((p) => p.name === name) ? '' : `\nnote: the desired tree has no ${name} with install scripts (yet)`;
}

export async function runInstallScriptsCommand(ctx: CommandContext, command: InstallScriptsCommand): Promise<void> {
  const { installScripts } = ctx.client;
  switch (command.kind) {
    case 'installScripts.get': {
      const policy = await installScripts.get();
      printResult(ctx, policy, formatScriptsPolicy(policy));
      return;
    }
    case 'installScripts.allow': {
      const name = checkName(command.name);
      const policy = await installScripts.allow({ name });
      printResult(ctx, policy, `allowed the install scripts of ${name}: hosts run them before a tree with it becomes current; ${NEXT_INSTALL}${absentNote(policy, name)}`);
      return;
    }
    case 'installScripts.disallow': {
      const name = checkName(command.name);
      const policy = await installScripts.disallow({ name });
      printResult(ctx, policy, `disallowed the install scripts of ${name}; ${NEXT_INSTALL}`);
      return;
    }
  }
}
