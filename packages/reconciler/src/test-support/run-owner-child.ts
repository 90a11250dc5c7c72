// Run as a real child process by reap-runs.test.ts: a stand-in for a server that starts a
// script run which never ends, so the test can SIGKILL this process mid-run, as a crash would.
// Args: <dataDir> <lockfileHash>
import { runScript } from '../runs/run-script.ts';

const [dataDir, expectedHash] = process.argv.slice(2) as [string, string];
await runScript({ dataDir, expectedHash, filename: 'forever.mjs', source: 'await new Promise(() => setInterval(() => {}, 1000));', timeoutMs: 600_000 });
