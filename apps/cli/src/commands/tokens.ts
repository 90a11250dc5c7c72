// `spk tokens create|list|revoke`: named API tokens shared by every server. A new token is printed
// once, alone on stdout so a script can capture it; nothing else ever prints a token.
import type { CreatedToken, TokenInfo } from '@spk/common';
import type { Command } from '../args.ts';
import { renderTable } from '../format.ts';
import { printResult, printSecretOnce, type CommandContext } from './context.ts';

type TokensCommand = Extract<Command, { kind: `tokens.${string}` }>;

const kindOf = (token: Pick<TokenInfo, 'permissions'>) => (token.permissions.includes('manage') ? 'admin' : 'read-only');

export function formatTokenList(tokens: readonly TokenInfo[]): string {
  if (tokens.length === 0) return 'no tokens (create one with `spk tokens create <name>`)';
  return renderTable(
    ['NAME', 'KIND', 'PERMISSIONS', 'CREATED', 'LAST USED'],
    tokens.map((t) => [t.name, kindOf(t), t.permissions.join(','), t.createdAt, t.lastUsedAt ?? 'never']),
  );
}

/** The stderr note that goes with a new token: what it is, and that it will not be shown again. */
export function createdNote(created: CreatedToken): string {
  return `created ${kindOf(created)} token "${created.name}" (${created.permissions.join(', ')}); it is shown only this once, so store it now\n`;
}

export async function runTokensCommand(ctx: CommandContext, command: TokensCommand): Promise<void> {
  switch (command.kind) {
    case 'tokens.create': {
      const created = await ctx.client.tokens.create({ name: command.name, readOnly: command.readOnly });
      return printSecretOnce(ctx, { value: created.token, note: createdNote(created), record: created });
    }
    case 'tokens.list': {
      const result = await ctx.client.tokens.list();
      return printResult(ctx, result, formatTokenList(result.tokens));
    }
    case 'tokens.revoke': {
      const result = await ctx.client.tokens.revoke({ name: command.name });
      return printResult(ctx, result, `revoked token "${result.revoked.name}"; no server accepts it any more`);
    }
  }
}
