// A private copy of the built console for one test's server. Other processes in the same checkout
// may rebuild apps/web/dist at any time (Vite empties it first), which would make the page's lazy
// chunks answer 404 halfway through a run; a copy checked against its build stamp cannot change.
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureWebBuilt } from '@spk/tools';

const ATTEMPTS = 5;

function isOutputList(value: unknown): value is Array<[string, number]> {
  return Array.isArray(value) && value.length > 0 && value.every((entry) => Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number');
}

/** What is wrong with the copy in `dir`, or null when it holds every file its stamp lists, at the listed size. */
async function checkCopy(dir: string): Promise<string | null> {
  let outputs: unknown;
  try {
    outputs = (JSON.parse(await readFile(path.join(dir, 'build-stamp.json'), 'utf8')) as { outputs?: unknown }).outputs;
  } catch (error) {
    return `no readable build stamp (${String(error)})`;
  }
  if (!isOutputList(outputs)) return 'the build stamp lists no outputs as [file, size] pairs';
  for (const [file, size] of outputs) {
    const found = await stat(path.join(dir, file)).catch(() => null);
    if (found?.size !== size) return `${file} is ${found ? `${found.size} bytes, not ${size}` : 'missing'}`;
  }
  return null;
}

/** Builds the console if its sources changed and returns a complete private copy of it (remove it when done). */
export async function snapshotWebBuild(): Promise<string> {
  const problems: string[] = [];
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const dist = await ensureWebBuilt({ onBuild: (reason) => console.log(`building apps/web/dist for the browser test (${reason})`) });
    const copy = await mkdtemp(path.join(tmpdir(), 'spk-web-console-'));
    const problem = await cp(dist, copy, { recursive: true }).then(
      () => checkCopy(copy),
      (error: unknown) => `copy failed: ${String(error)}`,
    );
    if (problem === null) return copy;
    problems.push(problem);
    await rm(copy, { recursive: true, force: true });
    // Someone else is rebuilding: let them finish.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  throw new Error(`Could not take a consistent copy of apps/web/dist in ${ATTEMPTS} attempts (${problems.join('; ')}): something keeps rebuilding it; stop it and run the test again.`);
}
