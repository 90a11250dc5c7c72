import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const HANDLERS = pathToFileURL(path.join(import.meta.dirname, 'process-handlers.ts')).href;
const LOGGER = pathToFileURL(path.join(import.meta.dirname, 'logger.ts')).href;
// The backend's real describeError, loaded from its file so the child does not load the whole backend.
const DESCRIBE = pathToFileURL(path.join(REPO_ROOT, 'packages/backend/src/errors/driver-error.ts')).href;

/** Runs `body` in a real Node process with the server's logger and handlers installed. */
function runChild(body: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `
    const { installProcessHandlers } = await import(${JSON.stringify(HANDLERS)});
    const { createLogger } = await import(${JSON.stringify(LOGGER)});
    const { describeError } = await import(${JSON.stringify(DESCRIBE)});
    installProcessHandlers(createLogger('info'), describeError);
    ${body}
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const logLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

// A drizzle-style query wrapper around a driver error: its message holds the SQL text and parameters.
const THROW_QUERY_ERROR = `
  const cause = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
  const wrapper = Object.assign(new Error('Failed query: update registry_config set token = $1\\nparams: npm_SECRET_TOKEN'), {
    query: 'update registry_config set token = $1', params: ['npm_SECRET_TOKEN'], cause,
  });
`;

// Each case is a real Node process; under a loaded CI machine their start-up alone can near the default 5 s.
describe.concurrent('process handlers', { timeout: 20_000 }, () => {
  it('log an uncaught exception with its cause and stack, without SQL text or parameters, then exit 1', async () => {
    const { code, stdout, stderr } = await runChild(`${THROW_QUERY_ERROR} setTimeout(() => { throw wrapper; }, 0);`);
    expect(code).toBe(1);
    const [line] = logLines(stdout).filter((l) => l.event === 'uncaughtException');
    expect(line).toMatchObject({ code: '57P01', message: 'terminating connection due to administrator command', level: 50 });
    expect(line?.stack).toMatch(/^at /);
    expect(stdout + stderr).not.toContain('npm_SECRET_TOKEN');
    expect(stdout + stderr).not.toContain('registry_config');
  });

  it('log an unhandled rejection the same way before exiting', async () => {
    const { code, stdout, stderr } = await runChild(
      `Promise.reject(Object.assign(new Error('the lock session went away'), { code: 'SESSION_LOST' })); setTimeout(() => {}, 5_000);`,
    );
    expect(code).toBe(1);
    const [line] = logLines(stdout).filter((l) => l.event === 'unhandledRejection');
    expect(line).toMatchObject({ code: 'SESSION_LOST', message: 'the lock session went away', kind: 'Error' });
    expect(stderr).toBe('');
  });
});
