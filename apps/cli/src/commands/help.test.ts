import { describe, expect, it } from 'vitest';
import { COMMANDS, commandName, GLOBAL_OPTIONS } from '../command-table.ts';
import { helpText, usageHint } from './help.ts';

describe('helpText', () => {
  it("gives every command its own help: usage, each of its options, every global option with its env var, and examples of it", () => {
    for (const spec of COMMANDS) {
      const name = commandName(spec);
      const text = helpText(name);
      expect(text.startsWith(`spk ${name}: ${spec.summary}\n`), name).toBe(true);
      for (const option of spec.options) expect(text, `${name} --${option.name}`).toMatch(new RegExp(`\\n  --${option.name}\\b.*  ${escape(option.help)}\\n`));
      for (const option of GLOBAL_OPTIONS.filter((o) => o.env)) expect(text, name).toMatch(new RegExp(`\\n  --${option.name} \\S+\\s+${option.env}\\s+`));
      const examples = text.slice(text.indexOf('\nExamples:\n')).split('\n').slice(2).filter(Boolean);
      expect(examples.length, name).toBeGreaterThan(0);
      for (const example of examples) expect(example, name).toMatch(new RegExp(`^  .*\\bspk ${name}( |$)`));
    }
  });

  it('documents that the default export is the result of `spk run`', () => {
    expect(helpText('run')).toContain("The script's default export (awaited, for a promise) is its result");
    expect(helpText('run')).toContain('"result: <JSON>" when it exports a value; a script\nthat exports nothing prints only its output');
  });

  it('lists the sub-commands of a group, and every command with the exit codes in the overview', () => {
    const group = helpText('registry');
    expect(group).toContain('spk registry get ');
    expect(group).toContain('spk registry set <url> [options]');
    expect(group).not.toContain('spk packages');
    const overview = helpText();
    for (const spec of COMMANDS) expect(overview).toContain(`  spk ${commandName(spec)}`);
    expect(overview).toContain('  --version ');
    expect(overview).toContain('Exit codes:');
  });
});

describe('usageHint', () => {
  it('points at the help that applies', () => {
    expect(usageHint('fsck')).toBe('Usage: spk fsck [--repair]\nRun `spk fsck --help` for its options and examples.\n');
    expect(usageHint('caps')).toMatch(/^Usage:\n {2}spk caps get .*\n {2}spk caps set \[options\] .*\nRun `spk caps <sub-command> --help`/);
    expect(usageHint(undefined)).toBe('Run `spk --help` for the commands and options.\n');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
