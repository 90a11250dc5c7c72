// `npm run bench:start [-- --runs N] [--json] [--database-url postgres://…]`: `npm start` until
// /healthz answers, on embedded PGlite and on PostgreSQL, in interleaved rounds. A first start gets
// a fresh data dir (and, on PostgreSQL, a fresh database created for it); the restart that follows
// in the same round starts again on what the first one left. `start.first` has the PGlite template
// made ahead (as a build step does); `start.first.no-template` gets an empty template dir, so it
// also makes the template: the first start ever on a machine. Each row also records the server's
// peak RSS and its RSS after idling a moment (`idleRssMiB`).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { preparePgliteTemplate } from '@spk/backend';
import { createFreshPostgresDatabase, dropPostgresDatabase } from '@spk/backend/testing';
import { measureInRounds, printReport, type Measure, type RowResult } from './bench-rounds.ts';
import { median, parseBenchArgs, progress } from './bench-support.ts';
import { timeServerStart, type StartSample } from './timed-server-start.ts';

const IDLE_MS = 2_000;

const args = parseBenchArgs(process.argv.slice(2), { runs: 3, extra: { 'database-url': process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' } });
// The test helpers create and drop databases through the admin URL they read from here.
process.env.TEST_DATABASE_URL = args.extra['database-url'];

interface Target {
  dataDir: string;
  databaseUrl: URL | undefined;
}

const idle = new Map<string, number[]>();
const measured = (id: string, s: StartSample): StartSample => {
  idle.set(id, [...(idle.get(id) ?? []), s.idleRssMiB]);
  return s;
};

/** A first start on a new target, and the restart on the target the first start left. */
function startPair(driver: 'pglite' | 'postgres', ids: { first: string; restart: string }, references?: { first: string; restart: string }): Measure[] {
  let target: Target | undefined;
  const on = driver === 'pglite' ? 'embedded PGlite' : 'PostgreSQL';
  const sample = async (id: string, t: Target) => measured(id, await timeServerStart({ dataDir: t.dataDir, databaseUrl: t.databaseUrl?.toString(), idleMs: IDLE_MS }));
  return [
    {
      id: ids.first,
      label: `first npm start, ${on}`,
      ...(references ? { reference: references.first } : {}),
      async sample() {
        target = {
          dataDir: await mkdtemp(path.join(tmpdir(), 'spk-bench-start-')),
          databaseUrl: driver === 'postgres' ? await createFreshPostgresDatabase() : undefined,
        };
        return sample(ids.first, target);
      },
    },
    {
      id: ids.restart,
      label: `restart, ${on}`,
      ...(references ? { reference: references.restart } : {}),
      async sample() {
        if (!target) throw new Error(`${ids.restart} runs after ${ids.first} in its round`);
        const t = target;
        target = undefined;
        try {
          return await sample(ids.restart, t);
        } finally {
          await rm(t.dataDir, { recursive: true, force: true });
          if (t.databaseUrl) await dropPostgresDatabase(t.databaseUrl);
        }
      },
    },
  ];
}

/** A first start that has no template to copy: it makes one in an empty dir, then starts from it. */
const firstWithoutTemplate: Measure = {
  id: 'start.first.no-template',
  label: 'first npm start, PGlite, template made too',
  reference: 'start.pg.first',
  async sample() {
    const scratch = await mkdtemp(path.join(tmpdir(), 'spk-bench-start-'));
    try {
      const env = { SPK_PGLITE_TEMPLATE_DIR: path.join(scratch, 'template') };
      return measured(this.id, await timeServerStart({ dataDir: path.join(scratch, 'data'), idleMs: IDLE_MS, env }));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  },
};

const [pgFirst, pgRestart] = startPair('postgres', { first: 'start.pg.first', restart: 'start.pg.restart' });
const [first, restart] = startPair('pglite', { first: 'start.first', restart: 'start.restart' }, { first: 'start.pg.first', restart: 'start.pg.restart' });
// As a build step would: the server's own default template dir holds the current template. One
// unmeasured start then brings a stale build of the server up to date and warms the page cache.
first!.prepare = async () => {
  progress(`PGlite template: ${await preparePgliteTemplate()}`);
  const warmUp = await mkdtemp(path.join(tmpdir(), 'spk-bench-start-'));
  try {
    await timeServerStart({ dataDir: warmUp, idleMs: 0 });
  } finally {
    await rm(warmUp, { recursive: true, force: true });
  }
};
// Each round: the first starts, then the restarts.
const rows = await measureInRounds([pgFirst!, first!, firstWithoutTemplate, pgRestart!, restart!], args.runs, progress);
const withIdle = rows.map((row): RowResult & { idleRssMiB?: number } => {
  const samples = idle.get(row.id);
  return samples?.length ? { ...row, idleRssMiB: Math.round(median(samples) * 100) / 100 } : row;
});
printReport(`npm start to /healthz, ${args.runs} round(s); peak MiB = the server's peak RSS`, { set: 'empty', runs: args.runs, rows: withIdle }, args.json);
if (!args.json) {
  for (const row of withIdle) process.stdout.write(`idle RSS ${IDLE_MS / 1000} s after /healthz, ${row.id}: ${row.idleRssMiB?.toFixed(0) ?? '-'} MiB (median)\n`);
}
