// `spk storage get|set|state|migrate`: which blob store installs publish to. Switching goes through
// the API, which refuses a store that lacks blobs of the installed set (STORE_INCOMPLETE); migrating
// copies them there first (storage-migrate.ts).
import type { StorageConfig } from '@spk/common';
import type { Command } from '../args.ts';
import { formatBytes } from '../format.ts';
import { formatStorageState } from '../format-storage.ts';
import { printResult, type CommandContext } from './context.ts';
import { runStorageMigrateCommand } from './storage-migrate.ts';

type StorageCommand = Extract<Command, { kind: `storage.${string}` }>;

export function formatStorage(config: StorageConfig): string {
  return [
    `active store:  ${config.activeStore}`,
    `available:     ${config.availableStores.join(', ')}`,
    `blobs:         ${config.blobCount} (${formatBytes(config.totalBytes)})`,
  ].join('\n');
}

export async function runStorageCommand(ctx: CommandContext, command: StorageCommand): Promise<void> {
  if (command.kind === 'storage.get') {
    const config = await ctx.client.storage.get();
    return printResult(ctx, config, formatStorage(config));
  }
  if (command.kind === 'storage.state') {
    const state = await ctx.client.storage.state();
    return printResult(ctx, state, formatStorageState(state));
  }
  if (command.kind === 'storage.migrate') return runStorageMigrateCommand(ctx, command);
  const config = await ctx.client.storage.set({ activeStore: command.store });
  printResult(ctx, config, `active blob store set to ${config.activeStore}\n${formatStorage(config)}`);
}
