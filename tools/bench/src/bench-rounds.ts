// Interleaved measurement for a noisy machine: every measure runs once per round (A B A B …), so
// a slow minute hits ours and the reference alike. Ratios are taken per round (ours / reference
// of the same round) and reported as their median, min and max; `--json` prints one document
// with stable row ids that a script can compare across runs.
import { median } from './bench-support.ts';

export interface Sample {
  ms: number;
  /** Peak resident set of the measured process, when it ran as a process the bench could observe. */
  peakRssMiB?: number;
}

export interface Measure {
  /** Stable id, e.g. `reconcile.cold`, `bun.cold`: scripts compare runs by it. */
  id: string;
  label: string;
  /** The id of the measure this one is compared with, round by round. */
  reference?: string;
  /** Run once before the rounds (lockfiles, warm caches); not timed. */
  prepare?(): Promise<void>;
  /** One timed sample. */
  sample(): Promise<Sample>;
}

export interface RowResult {
  id: string;
  label: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  peakRssMiB?: number;
  reference?: string;
  /** Median of the per-round ratios to the reference, and their spread. */
  ratio?: number;
  ratioMin?: number;
  ratioMax?: number;
}

export interface BenchReport {
  set: string;
  runs: number;
  rows: RowResult[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Runs `rounds` rounds of every measure in order; a failing measure fails the bench (no silent gaps). */
export async function measureInRounds(measures: readonly Measure[], rounds: number, log: (line: string) => void = () => undefined): Promise<RowResult[]> {
  for (const m of measures) await m.prepare?.();
  const samples = new Map<string, Sample[]>(measures.map((m) => [m.id, []]));
  for (let r = 0; r < rounds; r++) {
    for (const m of measures) {
      const s = await m.sample();
      samples.get(m.id)!.push(s);
      log(`round ${r + 1}/${rounds} ${m.id}: ${s.ms.toFixed(0)} ms${s.peakRssMiB === undefined ? '' : `, ${s.peakRssMiB.toFixed(0)} MiB`}`);
    }
  }
  return measures.map((m) => summarize(m, samples.get(m.id)!, m.reference ? samples.get(m.reference) : undefined));
}

export function summarize(m: Pick<Measure, 'id' | 'label' | 'reference'>, own: Sample[], ref: Sample[] | undefined): RowResult {
  const ms = own.map((s) => s.ms);
  const rss = own.flatMap((s) => (s.peakRssMiB === undefined ? [] : [s.peakRssMiB]));
  const row: RowResult = { id: m.id, label: m.label, medianMs: round2(median(ms)), minMs: round2(Math.min(...ms)), maxMs: round2(Math.max(...ms)) };
  if (rss.length) row.peakRssMiB = round2(Math.max(...rss));
  if (m.reference && ref) {
    if (ref.length !== own.length) throw new Error(`${m.id} and its reference ${m.reference} ran a different number of rounds`);
    const ratios = own.map((s, i) => s.ms / ref[i]!.ms);
    Object.assign(row, { reference: m.reference, ratio: round2(median(ratios)), ratioMin: round2(Math.min(...ratios)), ratioMax: round2(Math.max(...ratios)) });
  }
  return row;
}

/** The table for people (with `notes` under it), or (`json`) the one JSON document for scripts. */
export function printReport(title: string, report: BenchReport, json: boolean, notes: readonly string[] = []): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const lines = [title, `${'id'.padEnd(24)} ${'measurement'.padEnd(46)} ${'median ms'.padStart(10)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'peak MiB'.padStart(9)}  ratio (median [min–max] of per-round ratios)`];
  for (const row of report.rows) {
    const ratio = row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}x [${row.ratioMin!.toFixed(2)}–${row.ratioMax!.toFixed(2)}] of ${row.reference}`;
    lines.push(
      `${row.id.padEnd(24)} ${row.label.padEnd(46)} ${row.medianMs.toFixed(0).padStart(10)} ${row.minMs.toFixed(0).padStart(8)} ${row.maxMs.toFixed(0).padStart(8)} ${(row.peakRssMiB === undefined ? '-' : row.peakRssMiB.toFixed(0)).padStart(9)}  ${ratio}`,
    );
  }
  process.stdout.write(`${[...lines, ...notes].join('\n')}\n`);
}
