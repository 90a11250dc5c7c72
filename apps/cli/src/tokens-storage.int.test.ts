// `spk tokens` and `spk storage` through the real bin against a real server: what an operator
// types, sees and gets as exit code, and that a token is printed once and nowhere else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type SpawnedServer } from '@spk/tools';
import { EXIT } from './exit-codes.ts';
import { runSpk } from './test-support/run-spk.ts';

describe('spk tokens and spk storage against a real server', () => {
  let server: SpawnedServer;
  const as = (token: string) => (...args: string[]) => runSpk(args, { env: { SPK_SERVER: server.url, SPK_TOKEN: token } });
  let admin: ReturnType<typeof as>;
  const printed: string[] = [];

  beforeAll(async () => {
    server = await spawnServer();
    admin = as(server.token);
  });
  afterAll(() => server?.stop());

  it('creates a token, printing it alone on stdout once, and the server accepts it', async () => {
    const created = await admin('tokens', 'create', 'ci');
    expect(created.code, created.stderr).toBe(EXIT.OK);
    expect(created.stdout).toMatch(/^spk_[A-Za-z0-9_-]{43}\n$/);
    expect(created.stderr).toBe('created admin token "ci" (read, manage); it is shown only this once, so store it now\n');
    const token = created.stdout.trim();
    printed.push(token);
    expect((await as(token)('caps', 'get')).code).toBe(EXIT.OK);

    const again = await admin('tokens', 'create', 'ci');
    expect(again.code).toBe(EXIT.FAILURE);
    expect(again.stderr).toContain('a token named "ci" already exists; choose another name, or revoke that token first [ALREADY_EXISTS]');
  });

  it('gives a read-only token reads, and exit 4 naming the missing permission on a change', async () => {
    const created = await admin('tokens', 'create', 'viewer', '--read-only', '--json');
    expect(created.code, created.stderr).toBe(EXIT.OK);
    const record = JSON.parse(created.stdout) as { name: string; permissions: string[]; token: string };
    expect(record).toMatchObject({ name: 'viewer', permissions: ['read'] });
    printed.push(record.token);
    const viewer = as(record.token);

    expect((await viewer('status')).code).toBe(EXIT.OK);
    for (const args of [['caps', 'set', '--max-package', '50MiB'], ['tokens', 'list']]) {
      const refused = await viewer(...args);
      expect(refused.code, args.join(' ')).toBe(EXIT.AUTH);
      expect(refused.stderr).toBe('spk: the token is valid but may not do this: this token lacks the "manage" permission this call needs\n');
    }
  });

  it('lists tokens with name, kind, permissions, created and last use, never a token', async () => {
    const listed = await admin('tokens', 'list');
    expect(listed.code, listed.stderr).toBe(EXIT.OK);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+KIND\s+PERMISSIONS\s+CREATED\s+LAST USED$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 3))).toEqual([
      ['ci', 'admin', 'read,manage'],
      ['env', 'admin', 'read,manage'],
      ['viewer', 'read-only', 'read'],
    ]);
    const json = await admin('tokens', 'list', '--json');
    for (const token of [...printed, server.token]) {
      expect(listed.stdout).not.toContain(token);
      expect(json.stdout).not.toContain(token);
      expect(server.output()).not.toContain(token);
    }
  });

  it('revokes a token at once, and refuses to revoke the last admin token', async () => {
    const revoked = await admin('tokens', 'revoke', 'ci');
    expect(revoked.code, revoked.stderr).toBe(EXIT.OK);
    expect(revoked.stdout).toBe('revoked token "ci"; no server accepts it any more\n');
    const refused = await as(printed[0]!)('status');
    expect(refused.code).toBe(EXIT.AUTH);
    expect(refused.stderr).toContain('rejected the token from SPK_TOKEN (401 Unauthorized)');

    const last = await admin('tokens', 'revoke', 'env');
    expect(last.code).toBe(EXIT.FAILURE);
    expect(last.stderr).toBe(
      'spk: "env" is the last admin token: revoking it would leave nobody able to manage the cluster; create another admin token first, then revoke this one [LAST_ADMIN_TOKEN]\n',
    );
    const unknown = await admin('tokens', 'revoke', 'nobody');
    expect(unknown.code).toBe(EXIT.FAILURE);
    expect(unknown.stderr).toContain('no active token is named "nobody"; the active tokens are: env, viewer [NOT_FOUND]');
  });

  it('shows and switches the active blob store', async () => {
    const shown = await admin('storage', 'get');
    expect(shown.code, shown.stderr).toBe(EXIT.OK);
    expect(shown.stdout).toBe('active store:  postgres\navailable:     postgres, filesystem\nblobs:         0 (0 B)\n');

    const set = await admin('storage', 'set', 'filesystem');
    expect(set.code, set.stderr).toBe(EXIT.OK);
    expect(set.stdout.split('\n')[0]).toBe('active blob store set to filesystem');
    expect(JSON.parse((await admin('storage', 'get', '--json')).stdout)).toMatchObject({ activeStore: 'filesystem' });

    const unknown = await admin('storage', 'set', 's3');
    expect(unknown.code).toBe(EXIT.FAILURE);
    expect(unknown.stderr).toBe('spk: no blob store "s3" is registered; known stores: postgres, filesystem [NOT_FOUND]\n');
  });
});
