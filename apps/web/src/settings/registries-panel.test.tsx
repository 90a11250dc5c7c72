import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportNpmrcInput, ScriptsPolicy } from '@spk/common';
import { RegistriesPanel } from './registries-panel.tsx';
import { invalidInput, registryConfig, renderWithServer, type StandInServer } from './stand-in-session.tsx';

afterEach(cleanup);

const noScripts: ScriptsPolicy = { allowed: [], withScripts: [] };

describe('Registries panel', () => {
  it('shows credentials only as "set, ends in …", never a secret the API let through', async () => {
    const leaked = 'npm_LEAKEDSECRETVALUE1234';
    const server: StandInServer = {
      registry: {
        get: async () =>
          registryConfig({
            hasToken: true,
            scopes: { '@acme': 'https://npm.acme.test/' },
            auth: {
              '//npm.acme.test/': { token: 'set, ends in …wxyz', auth: null, username: 'ci', password: 'set', alwaysAuth: false },
              '//other.test/': { token: leaked, auth: null, username: null, password: null, alwaysAuth: true },
            },
          }),
      },
      installScripts: { get: async () => noScripts },
    };
    renderWithServer(<RegistriesPanel manage={false} />, server);
    const table = await screen.findByRole('table', { name: 'Registry credentials' });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]?.textContent).toContain('set, ends in …wxyz');
    expect(rows[2]?.querySelectorAll('td')[1]?.textContent).toBe('set');
    expect(document.body.textContent).not.toContain(leaked);
    expect(document.body.textContent).not.toContain('1234');
    expect(screen.getByRole('table', { name: 'Scoped registries' }).textContent).toContain('https://npm.acme.test/');
  });

  it('imports an .npmrc, lists the keys not imported, shows the new configuration and clears the text', async () => {
    const user = userEvent.setup();
    const received: ImportNpmrcInput[] = [];
    const server: StandInServer = {
      registry: {
        get: async () => registryConfig(),
        importNpmrc: async (input) => {
          received.push(input);
          return {
            config: registryConfig({ registry: 'https://npm.corp.test/', url: 'https://npm.corp.test/', hasToken: true }),
            warnings: ['save-exact: not a registry setting, not imported'],
          };
        },
      },
      installScripts: { get: async () => noScripts },
    };
    renderWithServer(<RegistriesPanel manage />, server);
    const textarea = await screen.findByLabelText('.npmrc contents');
    await user.type(textarea, 'registry=https://npm.corp.test/{Enter}//npm.corp.test/:_authToken=s3cr3t-token-value{Enter}save-exact=true');
    await user.click(screen.getByRole('button', { name: 'Import .npmrc' }));

    const warnings = await screen.findByRole('list', { name: 'Keys not imported' });
    expect(warnings.textContent).toBe('save-exact: not a registry setting, not imported');
    expect(received[0]?.npmrc).toContain('_authToken=s3cr3t-token-value');
    expect(textarea).toHaveProperty('value', '');
    expect(document.body.textContent).toContain('https://npm.corp.test/');
    expect(document.body.textContent).not.toContain('s3cr3t-token-value');
  });

  it('shows an import refusal word for word and keeps the text to fix', async () => {
    const user = userEvent.setup();
    const message = 'registry: a registry URL must be an http(s) URL';
    const server: StandInServer = {
      registry: {
        get: async () => registryConfig(),
        importNpmrc: async () => {
          throw invalidInput([{ path: 'npmrc', message }]);
        },
      },
      installScripts: { get: async () => noScripts },
    };
    renderWithServer(<RegistriesPanel manage />, server);
    const textarea = await screen.findByLabelText('.npmrc contents');
    await user.type(textarea, 'registry=ftp://nope');
    await user.click(screen.getByRole('button', { name: 'Import .npmrc' }));
    expect((await screen.findByRole('alert')).textContent).toContain(message);
    expect(textarea).toHaveProperty('value', 'registry=ftp://nope');
  });

  it('adds and removes names on the install-scripts allow-list', async () => {
    const user = userEvent.setup();
    let allowed: ScriptsPolicy['allowed'] = [];
    const policy = (): ScriptsPolicy => ({ allowed, withScripts: [] });
    const server: StandInServer = {
      registry: { get: async () => registryConfig() },
      installScripts: {
        get: async () => policy(),
        allow: async ({ name }) => {
          allowed = [...allowed, { name, allowedAt: '2026-01-01T00:00:00.000Z' }];
          return policy();
        },
        disallow: async ({ name }) => {
          allowed = allowed.filter((entry) => entry.name !== name);
          return policy();
        },
      },
    };
    renderWithServer(<RegistriesPanel manage />, server);
    await user.type(await screen.findByLabelText('Package to allow'), 'esbuild');
    await user.click(screen.getByRole('button', { name: 'Allow scripts' }));
    const list = await screen.findByRole('list', { name: 'Allowed to run install scripts' });
    expect(list.textContent).toContain('esbuild');
    await user.click(screen.getByRole('button', { name: 'Remove esbuild' }));
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Allowed to run install scripts' })).toBeNull());
    expect(allowed).toEqual([]);
  });

  it('sets the default registry and its token without keeping the token on the page', async () => {
    const user = userEvent.setup();
    const calls: unknown[] = [];
    const server: StandInServer = {
      registry: {
        get: async () => registryConfig(),
        set: async (input) => {
          calls.push(input);
          return registryConfig({ registry: input.url, url: input.url, hasToken: true });
        },
      },
      installScripts: { get: async () => noScripts },
    };
    renderWithServer(<RegistriesPanel manage />, server);
    const url = await screen.findByLabelText('Default registry URL');
    await user.clear(url);
    await user.type(url, 'https://npm.new.test/');
    await user.type(screen.getByLabelText('Registry token (empty keeps the current one)'), 'tok-very-secret-1');
    await user.click(screen.getByRole('button', { name: 'Save registry' }));
    await waitFor(() => expect(calls).toEqual([{ url: 'https://npm.new.test/', token: 'tok-very-secret-1' }]));
    await waitFor(() => expect(screen.getByLabelText('Registry token (empty keeps the current one)')).toHaveProperty('value', ''));
    expect(screen.getByLabelText('Default registry URL')).toHaveProperty('value', 'https://npm.new.test/');
  });
});
