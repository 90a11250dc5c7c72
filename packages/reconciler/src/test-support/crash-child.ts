// Run as a real child process by reconcile-crash.test.ts: reconciles a desired state with the
// real fs adapter, but stops at an injected point and announces it, so the test can SIGKILL
// it right there. Args: <dataDir> <desired.json> <blobDir> <after-extract|before-flip|other>;
// with any other point it reconciles unchanged and the test decides when to kill it (e.g. while
// an install script runs).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { integrityToHex } from '@spk/common';
import { createFsReconcileDeps } from '../fs-reconcile-deps.ts';
import { reconcile, type ReconcileDeps } from '../reconcile.ts';

const [dataDir, desiredFile, blobDir, crashPoint] = process.argv.slice(2) as [string, string, string, string];
const desired = JSON.parse(await readFile(desiredFile, 'utf8'));
const deps = createFsReconcileDeps({ dataDir, fetchBlob: (integrity) => readFile(path.join(blobDir, integrityToHex(integrity))) });

const stopHere = (): Promise<never> => {
  process.stdout.write(`reached ${crashPoint}\n`);
  setInterval(() => undefined, 60_000);
  return new Promise<never>(() => undefined);
};

const injected: ReconcileDeps = {
  ...deps,
  materializeTree:
    crashPoint === 'after-extract'
      ? async (_hash, manifest) => {
          await deps.extractAll(manifest);
          await stopHere();
        }
      : deps.materializeTree,
  flipCurrent: crashPoint === 'before-flip' ? stopHere : deps.flipCurrent,
};
await reconcile({ lockfileHash: desired.lockfileHash, manifest: desired.manifest, deps: injected });
process.stdout.write('finished without crashing\n');
