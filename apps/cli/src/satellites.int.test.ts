// `spk satellites` and `spk hosts` through the real bin against a real server: a satellite is
// created, reports with its own token through the typed client as spk-agent would, shows in
// `spk hosts` and `spk status`, is refused by spk, and is revoked.
import { ORPCError } from '@orpc/client';
import type { AgentReport, HostStatus } from '@spk/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type SpawnedServer } from '@spk/tools';
import { createSpkClient } from './client.ts';
import { EXIT } from './exit-codes.ts';
import { runSpk } from './test-support/run-spk.ts';

const columns = (line: string) => line.split(/\s{2,}/);

describe('spk satellites and spk hosts against a real server', () => {
  let server: SpawnedServer;
  const as = (token: string) => (...args: string[]) => runSpk(args, { env: { SPK_SERVER: server.url, SPK_TOKEN: token } });
  let admin: ReturnType<typeof as>;
  let probeToken = '';
  const printed: string[] = [];

  const report: AgentReport = {
    lockfileHash: null,
    convergedAt: null,
    lastError: 'EACCES: cannot write the tree\n    at reconcile',
    agentVersion: '9.8.7',
    hostname: 'probe1.dc2.example',
    lastPull: { blobs: 3, bytes: 3 * 1024 * 1024 },
  };

  beforeAll(async () => {
    server = await spawnServer();
    admin = as(server.token);
  });
  afterAll(() => server?.stop());

  it('creates a satellite, printing its token alone on stdout once, with how to give it to spk-agent on stderr', async () => {
    const created = await admin('satellites', 'create', 'dc2-probe');
    expect(created.code, created.stderr).toBe(EXIT.OK);
    expect(created.stdout).toMatch(/^\S{20,}\n$/);
    probeToken = created.stdout.trim();
    printed.push(probeToken);
    expect(created.stderr).toContain('created satellite "dc2-probe"; its token (on stdout) is shown only this once, so store it now.');
    expect(created.stderr).toContain(`SPK_AGENT_TOKEN=<token> spk-agent --server ${server.url} --data-dir <dir>`);
    expect(created.stderr).not.toContain(probeToken);

    const json = await admin('satellites', 'create', 'lab-1', '--json');
    expect(json.code, json.stderr).toBe(EXIT.OK);
    const record = JSON.parse(json.stdout) as { name: string; token: string };
    expect(Object.keys(record).sort()).toEqual(['name', 'token']);
    expect(record.name).toBe('lab-1');
    printed.push(record.token);

    const again = await admin('satellites', 'create', 'dc2-probe');
    expect(again.code).toBe(EXIT.FAILURE);
    expect(again.stderr).toContain('dc2-probe');
  });

  it('lists satellites by name with created and last seen, and never prints a token', async () => {
    const [listed, json] = await Promise.all([admin('satellites', 'list'), admin('satellites', 'list', '--json')]);
    expect(listed.code, listed.stderr).toBe(EXIT.OK);
    const lines = listed.stdout.trim().split('\n');
    expect(columns(lines[0]!)).toEqual(['NAME', 'CREATED', 'LAST SEEN']);
    expect(lines.slice(1).map((line) => [columns(line)[0], columns(line)[2]])).toEqual([
      ['dc2-probe', 'never'],
      ['lab-1', 'never'],
    ]);
    expect((JSON.parse(json.stdout) as { satellites: Array<{ name: string }> }).satellites.map((s) => s.name)).toEqual(['dc2-probe', 'lab-1']);
    for (const token of printed) {
      expect(listed.stdout + json.stdout).not.toContain(token);
      expect(server.output()).not.toContain(token);
    }
  });

  it('refuses a satellite token to spk with exit 4, saying it belongs to spk-agent', async () => {
    const commands = [['status'], ['hosts']];
    const answers = await Promise.all(commands.map((args) => as(probeToken)(...args)));
    for (const [i, refused] of answers.entries()) {
      expect(refused.code, commands[i]!.join(' ')).toBe(EXIT.AUTH);
      expect(refused.stderr).toBe(
        'spk: the token from SPK_TOKEN is a satellite token: only spk-agent may use it (desired state, watch, report, blob downloads), not spk.\n' +
          'Give spk an admin or read-only token (SPK_TOKEN or --token), and give this one to spk-agent (SPK_AGENT_TOKEN).\n',
      );
    }
  });

  it('shows a satellite that reported with its token in spk hosts and spk status, beside the core instance', async () => {
    const agent = createSpkClient({ serverUrl: server.url, token: probeToken });
    expect(await agent.agent.report(report)).toMatchObject({ hostId: 'dc2-probe' });

    const [hosts, hostsJson, status, listed] = await Promise.all([admin('hosts'), admin('hosts', '--json'), admin('status'), admin('satellites', 'list')]);
    expect(hosts.code, hosts.stderr).toBe(EXIT.OK);
    const lines = hosts.stdout.trim().split('\n');
    expect(lines[0]).toBe('desired tree: none (nothing installed yet); hosts: 2 (1 core instance, 1 satellite)');
    // The core instance reports its trees and disk use; this satellite's report says nothing of them.
    expect(columns(lines[1]!)).toEqual(['HOST', 'KIND', 'LOCKFILE', 'STATE', 'CONVERGED', 'LAST SEEN', 'TREES', 'DISK', 'AGENT', 'HOSTNAME', 'LAST PULL', 'ERROR']);
    expect(columns(lines[2]!)[1]).toBe('core');
    expect(columns(lines[3]!)).toEqual(['dc2-probe', 'satellite', '-', 'converged', '-', expect.stringMatching(/^\d+s ago$/), '-', '-', '9.8.7', 'probe1.dc2.example', '3 blobs, 3.0 MiB', 'EACCES: cannot write the tree']);

    const json = JSON.parse(hostsJson.stdout) as { desired: string | null; hosts: HostStatus[] };
    expect(json.desired).toBeNull();
    expect(json.hosts.find((host) => host.hostId === 'dc2-probe')).toMatchObject({
      kind: 'satellite',
      stale: false,
      lastError: report.lastError,
      satellite: { name: 'dc2-probe', agentVersion: '9.8.7', hostname: 'probe1.dc2.example', lastPull: report.lastPull },
    });

    expect(status.code, status.stderr).toBe(EXIT.OK);
    expect(status.stdout).toContain('hosts:       2 (1 core instance, 1 satellite)');
    expect(status.stdout).toMatch(/\ndc2-probe\s+satellite\s/);

    const probe = listed.stdout.split('\n').find((line) => line.startsWith('dc2-probe'));
    expect(columns(probe!)[2]).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('revokes a satellite: its token is refused at once, and an unknown name is an error', async () => {
    const [revoked, unknown] = await Promise.all([admin('satellites', 'revoke', 'dc2-probe'), admin('satellites', 'revoke', 'nobody')]);
    expect(revoked.code, revoked.stderr).toBe(EXIT.OK);
    expect(revoked.stdout).toBe('revoked satellite "dc2-probe"; no server accepts its token any more and its open watch streams are closed\n');

    const agent = createSpkClient({ serverUrl: server.url, token: probeToken });
    const refused = await agent.agent.report(report).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ORPCError);
    expect((refused as ORPCError<string, unknown>).status).toBe(401);

    expect(unknown.code).toBe(EXIT.FAILURE);
    expect(unknown.stderr).toContain('nobody');
  });
});
