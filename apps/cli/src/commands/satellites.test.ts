import { describe, expect, it } from 'vitest';
import { commandContext, recordingProcedure } from '../test-support/command-context.ts';
import { formatSatelliteList, runSatellitesCommand } from './satellites.ts';

const TOKEN = 'spk_satellite_secret_value';
const created = { name: 'dc2-probe', createdAt: '2025-01-02T03:04:05.000Z', lastSeenAt: null, token: TOKEN };
const info = (name: string, lastSeenAt: string | null = null) => ({ name, createdAt: '2025-01-02T03:04:05.000Z', lastSeenAt });

function context(json = false) {
  const create = recordingProcedure((_input: { name: string }) => created);
  const list = recordingProcedure(() => ({ satellites: [info('dc2-probe', '2025-01-02T03:09:00.000Z'), info('lab-1')] }));
  const revoke = recordingProcedure((input: { name: string }) => ({ revoked: info(input.name) }));
  const { ctx, out, err } = commandContext({ satellites: { create, list, revoke } }, { json, serverUrl: 'https://spk.example:8443' });
  return { ctx, out, err, create, revoke };
}

describe('runSatellitesCommand', () => {
  it('prints the new token alone on stdout, and on stderr that it is shown once and how spk-agent takes it', async () => {
    const { ctx, out, err, create } = context();
    await runSatellitesCommand(ctx, { kind: 'satellites.create', name: 'dc2-probe' });
    expect(create.inputs).toEqual([{ name: 'dc2-probe' }]);
    expect(out).toEqual([`${TOKEN}\n`]);
    const note = err.join('');
    expect(note).toContain('created satellite "dc2-probe"; its token (on stdout) is shown only this once, so store it now.');
    expect(note).toContain('SPK_AGENT_TOKEN=<token> spk-agent --server https://spk.example:8443 --data-dir <dir>');
    expect(note).toContain('spk-agent --server https://spk.example:8443 --token <token>');
    expect(note).not.toContain(TOKEN);
  });

  it('prints exactly the name and the token for --json', async () => {
    const { ctx, out, err } = context(true);
    await runSatellitesCommand(ctx, { kind: 'satellites.create', name: 'dc2-probe' });
    expect(JSON.parse(out.join(''))).toStrictEqual({ name: 'dc2-probe', token: TOKEN });
    expect(err).toEqual([]);
  });

  it('lists name, created and last seen, "never" for a satellite that has not called yet', async () => {
    const { ctx, out } = context();
    await runSatellitesCommand(ctx, { kind: 'satellites.list' });
    expect(out.join('').trimEnd().split('\n').map((line) => line.split(/\s{2,}/))).toEqual([
      ['NAME', 'CREATED', 'LAST SEEN'],
      ['dc2-probe', '2025-01-02T03:04:05.000Z', '2025-01-02T03:09:00.000Z'],
      ['lab-1', '2025-01-02T03:04:05.000Z', 'never'],
    ]);
  });

  it('revokes by name and says what that does', async () => {
    const { ctx, out, revoke } = context();
    await runSatellitesCommand(ctx, { kind: 'satellites.revoke', name: 'lab-1' });
    expect(revoke.inputs).toEqual([{ name: 'lab-1' }]);
    expect(out).toEqual(['revoked satellite "lab-1"; no server accepts its token any more and its open watch streams are closed\n']);
  });
});

describe('formatSatelliteList', () => {
  it('says how to create the first satellite when there is none', () => {
    expect(formatSatelliteList([])).toBe('no satellites (create one with `spk satellites create <name>`, then run spk-agent on that host with its token)');
  });
});
