import { isSpkError, type ScriptsPolicy } from '@spk/common';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../args.ts';
import { commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { formatScriptsPolicy, runInstallScriptsCommand } from './install-scripts.ts';

const AT = '2025-01-01T00:00:00.000Z';
const scripted = { name: 'spk-fixture-install-script', version: '1.0.0', path: 'node_modules/spk-fixture-install-script' };

function policyClient(policy: ScriptsPolicy) {
  return {
    installScripts: {
      get: recordingProcedure(() => policy),
      allow: recordingProcedure((_: { name: string }) => policy),
      disallow: recordingProcedure((_: { name: string }) => policy),
    },
  };
}

describe('spk packages scripts / allow-scripts / disallow-scripts', () => {
  it('parses the three commands', () => {
    expect(parseCliArgs(['packages', 'scripts']).command).toEqual({ kind: 'installScripts.get' });
    expect(parseCliArgs(['packages', 'scripts', '--json']).global.json).toBe(true);
    expect(parseCliArgs(['packages', 'allow-scripts', 'esbuild']).command).toEqual({ kind: 'installScripts.allow', name: 'esbuild' });
    expect(parseCliArgs(['packages', 'disallow-scripts', '@s/x']).command).toEqual({ kind: 'installScripts.disallow', name: '@s/x' });
  });

  it('allows a name, saying it takes effect at the next install', async () => {
    const client = policyClient({ allowed: [{ name: scripted.name, allowedAt: AT }], withScripts: [{ ...scripted, allowed: false }] });
    const { ctx, out } = commandContext(client);
    await runInstallScriptsCommand(ctx, { kind: 'installScripts.allow', name: scripted.name });
    expect(client.installScripts.allow.inputs).toEqual([{ name: scripted.name }]);
    expect(out.join('')).toBe(
      `allowed the install scripts of ${scripted.name}: hosts run them before a tree with it becomes current; it takes effect at the next install (\`spk install\`)\n`,
    );
  });

  it('notes when the allowed name has no install scripts in the desired tree', async () => {
    const client = policyClient({ allowed: [{ name: 'esbuild', allowedAt: AT }], withScripts: [] });
    const { ctx, out } = commandContext(client);
    await runInstallScriptsCommand(ctx, { kind: 'installScripts.allow', name: 'esbuild' });
    expect(out.join('')).toContain('note: the desired tree has no esbuild with install scripts (yet)');
  });

  it('disallows a name, saying it takes effect at the next install', async () => {
    const client = policyClient({ allowed: [], withScripts: [{ ...scripted, allowed: true }] });
    const { ctx, out } = commandContext(client);
    await runInstallScriptsCommand(ctx, { kind: 'installScripts.disallow', name: scripted.name });
    expect(client.installScripts.disallow.inputs).toEqual([{ name: scripted.name }]);
    expect(out.join('')).toBe(`disallowed the install scripts of ${scripted.name}; it takes effect at the next install (\`spk install\`)\n`);
  });

  it('refuses an invalid name before any request', async () => {
    const client = policyClient({ allowed: [], withScripts: [] });
    const { ctx } = commandContext(client);
    const error = await runInstallScriptsCommand(ctx, { kind: 'installScripts.allow', name: 'Not Valid' }).catch((e: unknown) => e);
    expect(isSpkError(error, 'INVALID_SPEC')).toBe(true);
    expect(client.installScripts.allow.inputs).toEqual([]);
  });

  it('prints the raw policy with --json', async () => {
    const policy = { allowed: [{ name: 'a', allowedAt: AT }], withScripts: [] };
    const { ctx, out } = commandContext(policyClient(policy), { json: true });
    await runInstallScriptsCommand(ctx, { kind: 'installScripts.get' });
    expect(JSON.parse(out.join(''))).toEqual(policy);
  });
});

describe('formatScriptsPolicy', () => {
  it('shows whether hosts run each package\'s scripts and what the next install changes', () => {
    const text = formatScriptsPolicy({
      allowed: [{ name: 'b', allowedAt: AT }, { name: 'c', allowedAt: AT }],
      withScripts: [
        { name: 'a', version: '1.0.0', path: 'node_modules/a', allowed: true },
        { name: 'b', version: '2.0.0', path: 'node_modules/b', allowed: false },
        { name: 'c', version: '3.0.0', path: 'node_modules/c', allowed: true },
      ],
    });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+PATH\s+SCRIPTS RUN$/);
    expect(lines[1]).toMatch(/^a\s+1\.0\.0\s+node_modules\/a\s+yes \(disallowed from the next install\)$/);
    expect(lines[2]).toMatch(/^b\s+2\.0\.0\s+node_modules\/b\s+no \(allowed from the next install\)$/);
    expect(lines[3]).toMatch(/^c\s+3\.0\.0\s+node_modules\/c\s+yes$/);
    expect(lines.at(-1)).toBe('allowed to run install scripts: b, c');
  });

  it('says when nothing has scripts and nothing is allowed', () => {
    expect(formatScriptsPolicy({ allowed: [], withScripts: [] })).toBe(
      'no package of the desired tree has install scripts\n\nno package is allowed to run install scripts (allow one with `spk packages allow-scripts <name>`)',
    );
  });
});
