// `spk search <text>` and `spk info <name>[@range]`: what the configured registries offer, asked
// through the server (which holds the registry credentials), so choosing a package and a range
// happens before `spk packages add`. Wording is built here as pure strings and unit-tested.
import { parsePackageSpec, type RegistryPackageResult, type RegistrySearchResult } from '@spk/common';
import type { Command } from '../args.ts';
import { formatBytes, renderTable } from '../format.ts';
import { printResult, type CommandContext } from './context.ts';

type RegistryInfoCommand = Extract<Command, { kind: 'search' | 'info' }>;

export const SEARCH_SIZE = 20;
const DESCRIPTION_WIDTH = 60;

/** `text` on one line, cut to `width` characters (at a word when one ends near), the cut marked with "…". */
export function truncate(text: string, width: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= width) return line;
  const cut = line.slice(0, width - 1);
  const wordEnd = cut.lastIndexOf(' ');
  return `${(wordEnd >= width * 0.6 ? cut.slice(0, wordEnd) : cut).trimEnd()}…`;
}

export function formatSearch(text: string, result: RegistrySearchResult): string {
  if (result.results.length === 0) return `no packages match "${text}" in the registry ${result.registry}`;
  const rows = result.results.map((hit) => [
    hit.name,
    hit.deprecated === null ? hit.version : `${hit.version} (deprecated)`,
    truncate(hit.description ?? '', DESCRIPTION_WIDTH),
  ]);
  return `${renderTable(['NAME', 'VERSION', 'DESCRIPTION'], rows)}\n\nfrom ${result.registry}; details: spk info <name>`;
}

function typesLine(info: RegistryPackageResult): string {
  if (info.hasOwnTypes) return 'its own';
  return info.typesPackage === null ? 'none found' : `from ${info.typesPackage}`;
}

export function formatPackageInfo(info: RegistryPackageResult): string {
  const tags = Object.entries(info.distTags)
    .sort(([a], [b]) => (a === 'latest' ? -1 : b === 'latest' ? 1 : a.localeCompare(b)))
    .map(([tag, version]) => `${tag}=${version}`)
    .join(', ');
  const lines: Array<[string, string]> = [
    ['description', info.description ?? '-'],
    ['latest', info.latest ?? '-'],
    ['license', info.license ?? '-'],
    ['homepage', info.homepage ?? '-'],
    ['repository', info.repository ?? '-'],
    ['unpacked size', info.unpackedSize === null ? 'unknown' : formatBytes(info.unpackedSize)],
    ['dependencies', String(info.dependencyCount)],
    ['types', typesLine(info)],
    ['install scripts', info.hasInstallScript ? `yes; hosts run them only once allowed (spk packages allow-scripts ${info.name})` : 'none'],
    ['dist-tags', tags || '-'],
    ['registry', info.registry],
  ];
  const width = Math.max(...lines.map(([label]) => label.length)) + 3;
  const head = [`${info.name}@${info.version}`];
  if (info.deprecated !== null) head.push(`DEPRECATED: ${info.deprecated}`);
  return [...head, ...lines.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`)].join('\n');
}

export async function runRegistryInfoCommand(ctx: CommandContext, command: RegistryInfoCommand): Promise<void> {
  if (command.kind === 'search') {
    const result = await ctx.client.registry.search({ text: command.text, size: SEARCH_SIZE });
    printResult(ctx, result, formatSearch(command.text, result));
    return;
  }
  // Checked here as well, so a git/file/URL spec is refused without a round trip; the server sends the spec as given.
  parsePackageSpec(command.spec);
  const info = await ctx.client.registry.package({ spec: command.spec.trim() });
  printResult(ctx, info, formatPackageInfo(info));
}
