import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { SizeCaps } from '@spk/common';
import { SizeCapsPanel } from './size-caps-panel.tsx';
import { invalidInput, renderWithServer, type StandInServer } from './stand-in-session.tsx';

afterEach(cleanup);

const MiB = 1024 * 1024;
const caps: SizeCaps = { warnTotalBytes: 150 * MiB, blockTotalBytes: 300 * MiB, maxPackageBytes: 100 * MiB };

describe('Size caps panel', () => {
  it("puts the API's validation message, word for word, beside the field it names", async () => {
    const user = userEvent.setup();
    const message = 'the warn threshold must not exceed the block threshold; lower warnTotalBytes or raise blockTotalBytes';
    const server: StandInServer = {
      sizeCaps: {
        get: async () => caps,
        set: async () => {
          throw invalidInput([{ path: 'warnTotalBytes', message }]);
        },
      },
    };
    renderWithServer(<SizeCapsPanel manage />, server);
    const warn = await screen.findByLabelText('Warn above (whole set)');
    expect(warn).toHaveProperty('value', '150');
    await user.clear(warn);
    await user.type(warn, '500');
    await user.click(screen.getByRole('button', { name: 'Save size caps' }));

    await waitFor(() => expect(warn.getAttribute('aria-invalid')).toBe('true'));
    const described = (warn.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent);
    expect(described).toContain(message);
  });

  it('sends the caps in bytes and shows what the API kept', async () => {
    const user = userEvent.setup();
    const sent: SizeCaps[] = [];
    const server: StandInServer = {
      sizeCaps: {
        get: async () => caps,
        set: async (input) => {
          sent.push(input);
          return input;
        },
      },
    };
    renderWithServer(<SizeCapsPanel manage />, server);
    const block = await screen.findByLabelText('Refuse above (whole set)');
    await user.clear(block);
    await user.type(block, '1');
    await user.selectOptions(screen.getByLabelText('Refuse above (whole set) unit'), 'GiB');
    await user.click(screen.getByRole('button', { name: 'Save size caps' }));
    await screen.findByText('Size caps saved.');
    expect(sent).toEqual([{ ...caps, blockTotalBytes: 1024 * MiB }]);
    expect(screen.getByLabelText('Refuse above (whole set)')).toHaveProperty('value', '1');
    expect(screen.getByLabelText('Refuse above (whole set) unit')).toHaveProperty('value', 'GiB');
  });

  it('refuses a field that is not a number without asking the API', async () => {
    const user = userEvent.setup();
    let calls = 0;
    const server: StandInServer = {
      sizeCaps: {
        get: async () => caps,
        set: async (input) => {
          calls += 1;
          return input;
        },
      },
    };
    renderWithServer(<SizeCapsPanel manage />, server);
    const largest = await screen.findByLabelText('Largest package');
    await user.clear(largest);
    await user.type(largest, 'big');
    await user.click(screen.getByRole('button', { name: 'Save size caps' }));
    expect((await screen.findByRole('alert')).textContent).toContain('"big" is not a number');
    expect(calls).toBe(0);
  });
});
