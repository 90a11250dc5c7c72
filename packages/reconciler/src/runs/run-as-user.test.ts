import { execFile } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { ADMIN_TOKEN_TEXT, convergedRunHost } from '../test-support/run-host.ts';
import { useTempDirs } from '../test-support/temp-dirs.ts';
import { parsePasswdLine, resolveRunUser } from './run-user.ts';
import { createScriptRunner } from './script-runner.ts';

const tempDir = useTempDirs();
const RUN_USER = 'spk-run-test';
const isRoot = process.getuid?.() === 0;
const exec = promisify(execFile);

const attempt = (body: string) => `import fs from 'node:fs';
let outcome;
try { outcome = { allowed: true, value: String(await (async () => { ${body} })()).slice(0, 200) }; }
catch (error) { outcome = { allowed: false, code: error?.code ?? String(error) }; }
export default outcome;`;

/** A converged host whose data dir is laid out as the server keeps it when scripts run as another user. */
async function hostForRunUser() {
  const host = await convergedRunHost(tempDir);
  // Traversable (0711) down to the data dir, as prepareDataDir({ traversable: true }) leaves it.
  await chmod(host.repo, 0o711);
  await chmod(host.dataDir, 0o711);
  return host;
}

describe('resolving the run user', () => {
  it('reads uid and gid from a passwd line', () => {
    expect(parsePasswdLine('spk-run:x:998:997::/nonexistent:/usr/sbin/nologin\n')).toEqual({ name: 'spk-run', uid: 998, gid: 997 });
    expect(parsePasswdLine('broken')).toBeNull();
  });

  it.skipIf(!isRoot)('refuses an unknown user and root itself, saying what to do (needs root)', async () => {
    const unknown = await resolveRunUser('spk-no-such-user-here').catch((e: unknown) => e);
    expect(isSpkError(unknown, 'INVALID_INPUT')).toBe(true);
    expect((unknown as Error).message).toContain('useradd --system --no-create-home spk-no-such-user-here');
    const root = await resolveRunUser('root').catch((e: unknown) => e);
    expect((root as Error).message).toContain('uid 0');
  });

  // Only a non-root process can prove this; under root the case is not defined (never a skip counted as a pass).
  if (!isRoot) {
    it('refuses SPK_RUN_AS_USER when the server is not root', async () => {
      const error = await resolveRunUser('nobody').catch((e: unknown) => e);
      expect((error as Error).message).toContain('does not run as root');
    });
  }
});

// Needs root: only root can start processes as another user. The test is skipped, not passed, otherwise.
describe.skipIf(!isRoot)('scripts run as a dedicated unprivileged user (SPK_RUN_AS_USER; needs root)', () => {
  // As the server does: everything it creates (trees included) starts private.
  let umask = 0;
  beforeAll(() => void (umask = process.umask(0o077)));
  afterAll(() => void process.umask(umask));

  beforeAll(async () => {
    const known = await exec('getent', ['passwd', RUN_USER]).then(
      () => true,
      () => false,
    );
    if (!known) await exec('useradd', ['--system', '--no-create-home', RUN_USER]);
  });

  it('runs the script as that user with its packages, and its temp dir writable', async () => {
    const { dataDir, fixture } = await hostForRunUser();
    const runner = createScriptRunner({ dataDir, runAsUser: RUN_USER });
    const { uid } = await resolveRunUser(RUN_USER);
    const result = await runner.run({
      expectedHash: fixture.lockfileHash,
      filename: 'who.mjs',
      source: `import ver from 'ver'; import { createRequire } from 'node:module'; import fs from 'node:fs'; import path from 'node:path';
        const cjs = createRequire(import.meta.url)('cjs-pkg');
        fs.writeFileSync(path.join(process.env.TMPDIR, 'note'), 'x');
        export default { uid: process.getuid(), ver, cjs: cjs.kind };`,
      timeoutMs: 10_000,
    });
    expect(result.error).toBeNull();
    expect(result.result).toEqual({ uid, ver: '1.0.0', cjs: 'cjs' });
  });

  it("cannot read the admin token, PGlite's files or the server's environ, nor signal the server, even with reads relaxed to /", async () => {
    const { dataDir, fixture, adminToken, pgliteFile } = await hostForRunUser();
    const env = `const token = ${JSON.stringify(adminToken)}; const pg = ${JSON.stringify(pgliteFile)};`;
    const request = (body: string) => ({ expectedHash: fixture.lockfileHash, filename: 'try.mjs', source: `${env}\n${attempt(body)}`, timeoutMs: 10_000 });
    const relaxed = { allowFsRead: ['/'] };

    // Control: with reads relaxed and no run user, the permission model no longer stops it.
    const sameUser = createScriptRunner({ dataDir, settings: relaxed });
    expect((await sameUser.run(request("return fs.readFileSync(token, 'utf8').trim();"))).result).toEqual({ allowed: true, value: ADMIN_TOKEN_TEXT });

    const asRunUser = createScriptRunner({ dataDir, runAsUser: RUN_USER, settings: relaxed });
    const refused = { allowed: false, code: 'EACCES' };
    expect((await asRunUser.run(request("return fs.readFileSync(token, 'utf8');"))).result).toEqual(refused);
    expect((await asRunUser.run(request("return fs.readFileSync(pg, 'utf8');"))).result).toEqual(refused);
    expect((await asRunUser.run(request("return fs.readFileSync(`/proc/${process.ppid}/environ`, 'utf8');"))).result).toEqual(refused);
    expect((await asRunUser.run(request("process.kill(process.ppid, 'SIGTERM'); return 'sent';"))).result).toEqual({ allowed: false, code: 'EPERM' });
  });
});
