// `spk registry get|set|import-npmrc|rotate-key`: the registry configuration the installer and the
// registry client use. Secrets (a token, a new secret key) are read from stdin only, so they never
// land in shell history or the process list; what comes back has every secret masked.
import { SpkError, type RegistryConfigInput, type RotateKeyResult } from '@spk/common';
import { UsageError, type Command } from '../args.ts';
import { formatRegistry } from '../format-registry.ts';
import { printResult, type CommandContext } from './context.ts';

type RegistryCommand = Extract<Command, { kind: `registry.${string}` }>;

/** The first line of `input` without its line ending and surrounding blanks; '' when there is none. */
function firstLine(input: string): string {
  return input.split(/\r?\n/, 1)[0]?.trim() ?? '';
}

/** The first line of stdin, without its line ending: `echo $TOKEN | spk registry set ...`. */
export function tokenFromStdin(input: string): string {
  const token = firstLine(input);
  if (token === '') throw new UsageError('--token-stdin was given but stdin was empty', 'registry');
  return token;
}

/** The new secret key: the first line of stdin. */
export function keyFromStdin(input: string): string {
  const key = firstLine(input);
  if (key === '') {
    throw new UsageError('spk registry rotate-key reads the new key from stdin, and stdin was empty: openssl rand -base64 32 > new-key && spk registry rotate-key < new-key', 'registry rotate-key');
  }
  return key;
}

async function readNpmrc(ctx: CommandContext, file: string): Promise<string> {
  if (file === '-') {
    if (ctx.io.stdinIsTTY) ctx.io.stderr('reading the .npmrc from stdin; end with Ctrl-D\n');
    return ctx.io.readStdin();
  }
  try {
    return await ctx.io.readTextFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SpkError('INVALID_INPUT', `cannot read ${file} (${code}); give the path of an .npmrc file, or - to read it from stdin`, { file });
  }
}

export function formatRotation(result: RotateKeyResult): string {
  return `re-encrypted ${result.reencrypted} secret${result.reencrypted === 1 ? '' : 's'} with the key ${result.keyId}\n${result.note}`;
}

export async function runRegistryCommand(ctx: CommandContext, command: RegistryCommand): Promise<void> {
  switch (command.kind) {
    case 'registry.get': {
      const config = await ctx.client.registry.get();
      printResult(ctx, config, formatRegistry(config));
      return;
    }
    case 'registry.set': {
      const input: RegistryConfigInput = { url: command.url };
      if (command.tokenStdin) {
        if (ctx.io.stdinIsTTY) ctx.io.stderr('reading the registry token from stdin; end with Ctrl-D\n');
        input.token = tokenFromStdin(await ctx.io.readStdin());
      } else if (command.clearToken) {
        input.token = null;
      }
      const config = await ctx.client.registry.set(input);
      printResult(ctx, config, `registry set\n${formatRegistry(config)}`);
      return;
    }
    case 'registry.importNpmrc': {
      const npmrc = await readNpmrc(ctx, command.file);
      const result = await ctx.client.registry.importNpmrc({ npmrc });
      // Warnings go to stderr, as for packages add; under --json they are in the result.
      if (!ctx.json) for (const warning of result.warnings) ctx.io.stderr(`warning: ${warning}\n`);
      const source = command.file === '-' ? 'stdin' : command.file;
      printResult(ctx, result, `imported the registry settings of ${source}\n${formatRegistry(result.config)}`);
      return;
    }
    case 'registry.rotateKey': {
      if (ctx.io.stdinIsTTY) ctx.io.stderr('reading the new secret key from stdin; end with Ctrl-D\n');
      const result = await ctx.client.registry.rotateKey({ key: keyFromStdin(await ctx.io.readStdin()) });
      printResult(ctx, result, formatRotation(result));
      return;
    }
  }
}
