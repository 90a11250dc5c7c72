// Shared pieces of the benchmarks: argument parsing, package sets, timing and the table printer.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startTestRegistry, seedFixtures } from '@spk/tools';

export const PUBLIC_REGISTRY = 'https://registry.npmjs.org/';
export const FIXTURE_SET = ['spk-fixture-esm', 'spk-fixture-cjs', 'spk-fixture-nested', '@spk-fixtures/scoped', 'spk-fixture-typed', 'spk-fixture-untyped', '@types/spk-fixture-untyped', 'spk-fixture-bin'];

export interface BenchArgs {
  set: 'fixtures' | 'medium';
  runs: number;
  /** `--json`: print one JSON document on stdout and everything else on stderr. */
  json: boolean;
}

/** `--set`, `--runs` and `--json`, plus any string options a bench adds (`extra`: name -> default). */
export function parseBenchArgs<K extends string = never>(
  argv: string[],
  defaults: { runs: number; set?: BenchArgs['set']; extra?: Record<K, string> },
): BenchArgs & { extra: Record<K, string> } {
  const extraOptions = Object.fromEntries(Object.entries<string>(defaults.extra ?? ({} as Record<K, string>)).map(([name, value]) => [name, { type: 'string' as const, default: value }]));
  const { values } = parseArgs({
    args: argv,
    options: { set: { type: 'string', default: defaults.set ?? 'fixtures' }, runs: { type: 'string' }, json: { type: 'boolean', default: false }, ...extraOptions },
  });
  const set = values.set as string;
  if (set !== 'fixtures' && set !== 'medium') throw new Error(`--set must be "fixtures" or "medium", not "${set}"`);
  const runs = values.runs ? Number(values.runs) : defaults.runs;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const extra = Object.fromEntries(Object.keys(extraOptions).map((name) => [name, String((values as Record<string, unknown>)[name])])) as Record<K, string>;
  return { set, runs, json: values.json === true, extra };
}

/** Progress for people: on stderr, so `--json` leaves stdout to the one document. */
export const progress = (line: string) => process.stderr.write(`${line}\n`);

export interface PackageSource {
  registryUrl: string;
  token: string | undefined;
  packages: string[];
  stop(): Promise<void>;
}

/** The fixture set on a fresh loopback registry, or the medium set on the public registry (opt-in). */
export async function openPackageSource(set: BenchArgs['set']): Promise<PackageSource> {
  if (set === 'medium') {
    const file = path.resolve(import.meta.dirname, '../sets/medium.json');
    const { packages } = JSON.parse(await readFile(file, 'utf8')) as { packages: string[] };
    return { registryUrl: PUBLIC_REGISTRY, token: undefined, packages, stop: async () => undefined };
  }
  const registry = await startTestRegistry({ logLevel: 'error' });
  await seedFixtures(registry, { token: await registry.addUser('bench', 'bench-password-1') });
  return { registryUrl: `${registry.url}/`, token: undefined, packages: FIXTURE_SET, stop: () => registry.stop() };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export async function timeIt<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

export interface Row {
  label: string;
  samples: number[];
  reference?: string;
  /** What each sample processed: printed as a rate at the median time (e.g. "120 blobs/s, 3.4 MB/s"). */
  work?: { count: number; unit: string; bytes?: number };
}

function rateAt(ms: number, work: NonNullable<Row['work']>): string {
  const seconds = Math.max(ms, 0.001) / 1000;
  const countPerSecond = work.count / seconds;
  const perSecond = `${countPerSecond.toFixed(countPerSecond < 10 ? 2 : 0)} ${work.unit}/s`;
  if (work.bytes === undefined) return perSecond;
  const mbPerSecond = work.bytes / 1e6 / seconds;
  return `${perSecond}, ${mbPerSecond.toFixed(mbPerSecond < 1 ? 3 : 1)} MB/s`;
}

/** Prints medians, each row's ratio to the row it names as its reference, and its rate when it says what it processed. */
export function printTable(title: string, rows: Row[]): void {
  const medians = new Map(rows.map((r) => [r.label, median(r.samples)]));
  const lines = [title, `${'measurement'.padEnd(44)} ${'median ms'.padStart(10)}  ${'runs'.padStart(4)}  ratio / rate`];
  for (const row of rows) {
    const m = medians.get(row.label)!;
    const ref = row.reference ? medians.get(row.reference) : undefined;
    const notes = [ref ? `${(m / ref).toFixed(2)}x of ${row.reference}` : '', row.work ? rateAt(m, row.work) : ''].filter(Boolean).join('; ');
    lines.push(`${row.label.padEnd(44)} ${m.toFixed(0).padStart(10)}  ${String(row.samples.length).padStart(4)}  ${notes}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
