import { ORPCError } from '@orpc/client';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ListedPackage, PackageList, Permission } from '@spk/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderInSession, type StandInClient } from '../session/stand-in-session.ts';
import { PackagesPage } from './packages-page.tsx';

const NOW = '2026-11-26T12:00:00.000Z';

function listed(name: string, extra: Partial<ListedPackage> = {}): ListedPackage {
  return { name, range: 'latest', enabled: true, createdAt: NOW, updatedAt: NOW, resolvedVersion: '1.1.0', tarballSize: 2048, installed: true, ...extra };
}

/**
 * A stand-in for the server in a component test: only the procedures this page calls, answering
 * like the fixture registry would. The real server and registry are exercised by the browser test.
 */
function stubClient(declared: ListedPackage[] = []) {
  const list = vi.fn(async (): Promise<PackageList> => ({ packages: [...declared], lockfileHash: null, host: { hostId: 'core-1', lockfileHash: null } }));
  const search = vi.fn(async ({ text }: { text: string }) => ({
    registry: 'http://registry.test/',
    results: ['spk-fixture-typed', 'spk-fixture-deprecated']
      .filter((name) => name.includes(text))
      .map((name) => ({ name, version: '1.1.0', description: `the ${name} fixture`, date: null, deprecated: null })),
  }));
  const versions = vi.fn(async ({ name }: { name: string }) => ({
    name,
    registry: 'http://registry.test/',
    distTags: { latest: '1.1.0', next: '2.0.0-rc.1' },
    versions: [
      { version: '2.0.0-rc.1', deprecated: null, publishedAt: null },
      { version: '1.1.0', deprecated: null, publishedAt: null },
      { version: '1.0.0', deprecated: 'use 1.1.0', publishedAt: null },
    ],
  }));
  const info = vi.fn(async () => {
    throw new ORPCError('BAD_GATEWAY', { message: 'the registry is not reachable in this test', data: { code: 'REGISTRY_UNREACHABLE' } });
  });
  const add = vi.fn(async (input: { name: string; range?: string }) => {
    declared.push(listed(input.name, { range: input.range ?? 'latest', resolvedVersion: null, tarballSize: null, installed: false }));
    return { ...listed(input.name), range: input.range ?? 'latest' };
  });
  const update = vi.fn();
  const remove = vi.fn(async ({ name }: { name: string }) => ({ removed: listed(name) }));
  const client = { packages: { list, add, update, remove }, registry: { search, versions, package: info } };
  return { client, list, search, versions, add, remove };
}

function renderPage(client: unknown, permissions: Permission[] = ['read', 'manage']) {
  const principal = { name: 'ops', permissions, readOnly: !permissions.includes('manage') };
  return renderInSession(<PackagesPage />, client as StandInClient, principal);
}

afterEach(cleanup);

describe('PackagesPage', () => {
  it('fills the Version select after a package is chosen with the keyboard', async () => {
    const stub = stubClient();
    renderPage(stub.client);
    const user = userEvent.setup();
    expect(await screen.findByText(/No packages are declared yet/)).toBeTruthy();
    const combobox = screen.getByRole('combobox', { name: 'Package name' });
    await user.type(combobox, 'spk-fixture');
    const options = within(await screen.findByRole('listbox', { name: 'Matching packages' })).getAllByRole('option');
    expect(options[0]?.textContent).toMatch(/^spk-fixture-typed 1\.1\.0 — the spk-fixture-typed fixture/);
    // Debounced: one search for the whole word, not one per keystroke.
    expect(stub.search.mock.calls.map(([input]) => input.text)).toEqual(['spk-fixture']);

    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(combobox.getAttribute('aria-activedescendant')).toBe(options[1]?.id);
    await user.keyboard('{Enter}');
    expect((combobox as HTMLInputElement).value).toBe('spk-fixture-deprecated');
    expect(screen.queryByRole('listbox', { name: 'Matching packages' })).toBeNull();

    const select = screen.getByRole('combobox', { name: 'Version' }) as HTMLSelectElement;
    await waitFor(() => expect(select.value).toBe('latest'));
    expect(stub.versions).toHaveBeenCalledWith({ name: 'spk-fixture-deprecated' });
    expect([...select.options].map((o) => o.textContent)).toEqual(['latest → 1.1.0', 'next → 2.0.0-rc.1', '2.0.0-rc.1', '1.1.0', '1.0.0 (deprecated)', 'Custom range…']);
  });

  it('adds the chosen version, reloads the list, clears the form and announces it', async () => {
    const stub = stubClient();
    renderPage(stub.client);
    const user = userEvent.setup();
    await user.type(screen.getByRole('combobox', { name: 'Package name' }), 'typed');
    await screen.findByRole('option', { name: /^spk-fixture-typed/ });
    await user.keyboard('{ArrowDown}{Enter}');
    const select = screen.getByRole('combobox', { name: 'Version' }) as HTMLSelectElement;
    await waitFor(() => expect(select.value).toBe('latest'));
    await user.selectOptions(select, '1.1.0');
    await user.click(screen.getByRole('button', { name: 'Add package' }));

    expect(stub.add).toHaveBeenCalledWith({ name: 'spk-fixture-typed', range: '1.1.0' });
    expect((await screen.findByRole('status')).textContent).toBe('Added spk-fixture-typed');
    const table = await screen.findByRole('table', { name: 'Declared packages' });
    expect(within(table).getByRole('rowheader').textContent).toBe('spk-fixture-typed');
    expect(stub.list).toHaveBeenCalledTimes(2);
    expect((screen.getByRole('combobox', { name: 'Package name' }) as HTMLInputElement).value).toBe('');
  });

  it("shows the API's validation message verbatim next to the Range field", async () => {
    const stub = stubClient();
    const message = '"github:a/b" is a git repository spec; only registry versions, ranges and dist-tags can be declared';
    stub.add.mockRejectedValueOnce(
      new ORPCError('BAD_REQUEST', { message: `invalid input: range: ${message}`, data: { code: 'INVALID_INPUT', issues: [{ path: 'range', message }] } }),
    );
    renderPage(stub.client);
    const user = userEvent.setup();
    await user.type(screen.getByRole('combobox', { name: 'Package name' }), 'spk-fixture-typed{Enter}');
    const select = screen.getByRole('combobox', { name: 'Version' }) as HTMLSelectElement;
    await waitFor(() => expect(select.value).toBe('latest'));
    await user.selectOptions(select, 'Custom range…');
    const range = screen.getByRole('textbox', { name: 'Range' });
    await user.type(range, 'github:a/b');
    await user.click(screen.getByRole('button', { name: 'Add package' }));

    expect(stub.add).toHaveBeenCalledWith({ name: 'spk-fixture-typed', range: 'github:a/b' });
    await waitFor(() => expect(range.getAttribute('aria-invalid')).toBe('true'));
    const fieldError = document.getElementById(range.getAttribute('aria-describedby') ?? '');
    expect(fieldError?.querySelector('.error-message')?.textContent).toBe(message);
    // Shown once, at the field: not repeated as a form-level alert.
    expect(screen.getAllByRole('alert').filter((a) => a.textContent?.includes(message))).toHaveLength(1);
  });

  it("puts the registry's refusal of an unknown name at the name field, word for word", async () => {
    const stub = stubClient();
    const message = 'no package spk-nope in the registry http://registry.test/';
    const notFound = () => new ORPCError('NOT_FOUND', { message, data: { code: 'PACKAGE_NOT_FOUND' } });
    stub.versions.mockRejectedValueOnce(notFound());
    stub.add.mockRejectedValueOnce(notFound());
    renderPage(stub.client);
    const user = userEvent.setup();
    const combobox = screen.getByRole('combobox', { name: 'Package name' });
    await user.type(combobox, 'spk-nope{Enter}');
    const select = screen.getByRole('combobox', { name: 'Version' }) as HTMLSelectElement;
    await screen.findByRole('option', { name: 'latest (the default)' });
    expect(select.value).toBe('');
    await user.click(screen.getByRole('button', { name: 'Add package' }));

    // No list of versions: the API's default range applies.
    expect(stub.add).toHaveBeenCalledWith({ name: 'spk-nope' });
    await waitFor(() => expect(combobox.getAttribute('aria-invalid')).toBe('true'));
    const fieldError = document.getElementById(combobox.getAttribute('aria-describedby') ?? '');
    expect(fieldError?.querySelector('.error-message')?.textContent).toBe(message);
  });

  it('asks for confirmation in the row before removing a package', async () => {
    const stub = stubClient([listed('spk-fixture-typed')]);
    renderPage(stub.client);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Remove spk-fixture-typed' }));
    // The stored tarball's size comes from the list even when the registry cannot describe the package.
    expect(screen.getByRole('row', { name: /spk-fixture-typed/ }).textContent).toContain('2.0 KiB tarball');
    expect(stub.remove).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    await user.click(screen.getByRole('button', { name: 'Remove spk-fixture-typed' }));
    await user.click(screen.getByRole('button', { name: 'Confirm remove spk-fixture-typed' }));
    expect(stub.remove).toHaveBeenCalledWith({ name: 'spk-fixture-typed' });
    expect((await screen.findByRole('status')).textContent).toBe('Removed spk-fixture-typed');
  });

  it('offers no form and no row actions to a read-only token', async () => {
    const stub = stubClient([listed('spk-fixture-typed')]);
    renderPage(stub.client, ['read']);
    const table = await screen.findByRole('table', { name: 'Declared packages' });
    expect(within(table).getByRole('rowheader').textContent).toBe('spk-fixture-typed');
    expect(screen.getByText('This token is read-only: it cannot add, change or remove packages.')).toBeTruthy();
    expect(screen.queryByRole('combobox', { name: 'Package name' })).toBeNull();
    expect(screen.queryByRole('button')).toBeNull();
  });
});
