// `npm run bench:cli [-- --runs N] [--json]`: how long `spk` takes to start, against a bare
// `node -e 0` in the same rounds: `spk --help` (no server involved) and `spk status` against a
// server the bench starts (with the server's own time for the same two calls beside it); and, for the
// record, `spk --help` from the TypeScript sources (tsx).
// The compiled CLI is built (and its code cache made) before the rounds, as after `npm install`.
import path from 'node:path';
import { REPO_ROOT, spawnServer } from '@spk/tools';
import { measureInRounds, printReport, type Measure, type Sample } from './bench-rounds.ts';
import { parseBenchArgs, progress } from './bench-support.ts';
import { runMeasured } from './measured-process.ts';

const SPK_BIN = path.join(REPO_ROOT, 'apps/cli/bin/spk.mjs');
const SPK_SOURCES_BIN = path.join(REPO_ROOT, 'apps/cli/bin/spk-dev.mjs');

const args = parseBenchArgs(process.argv.slice(2), { runs: 15 });
const server = await spawnServer();

/** `node <args>` once, timed from spawn to exit; `spk` talks to the bench's server and no other. */
const nodeRun = (nodeArgs: string[]) => () =>
  runMeasured(process.execPath, nodeArgs, { cwd: REPO_ROOT, env: { SPK_SERVER: server.url, SPK_TOKEN: server.token, SPK_DATA_DIR: server.dataDir } });

/** The two calls `spk status` makes, from this process (a kept-alive connection): the server's share of cli.status. */
async function statusCalls(): Promise<Sample> {
  const start = performance.now();
  const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
  await Promise.all(
    ['install/state', 'hosts/status'].map(async (route) => {
      const response = await fetch(`${server.url}/rpc/${route}`, { method: 'POST', headers, body: '{}' });
      if (!response.ok) throw new Error(`POST /rpc/${route} answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    }),
  );
  return { ms: performance.now() - start };
}

const warm = (nodeArgs: string[]) => async () => {
  // The first start after a build rebuilds a stale bundle and writes the code cache.
  await nodeRun(nodeArgs)();
};

const measures: Measure[] = [
  { id: 'node.bare', label: 'node -e 0', sample: nodeRun(['-e', '0']) },
  { id: 'cli.help', label: 'spk --help', reference: 'node.bare', prepare: warm([SPK_BIN, '--help']), sample: nodeRun([SPK_BIN, '--help']) },
  { id: 'cli.status', label: 'spk status (server on loopback)', reference: 'node.bare', prepare: warm([SPK_BIN, 'status']), sample: nodeRun([SPK_BIN, 'status']) },
  { id: 'server.status', label: 'its two calls, sent from the bench process', sample: statusCalls },
  { id: 'cli.help.sources', label: 'spk --help from the sources (tsx)', reference: 'node.bare', prepare: warm([SPK_SOURCES_BIN, '--help']), sample: nodeRun([SPK_SOURCES_BIN, '--help']) },
];

try {
  const rows = await measureInRounds(measures, args.runs, progress);
  printReport(`spk start-up, ${args.runs} round(s); peak MiB = the process's peak RSS`, { set: 'cli', runs: args.runs, rows }, args.json);
} finally {
  await server.stop();
}
