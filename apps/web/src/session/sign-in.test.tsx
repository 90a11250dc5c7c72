import { ORPCError } from '@orpc/client';
import type { PrincipalInfo } from '@spk/common';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TOKEN_STORAGE_KEY } from './session.tsx';
import { SignIn, type WhoAmI } from './sign-in.tsx';
import { ADMIN } from './stand-in-session.ts';

const GOOD = 'good-token-0123456789';
const REJECTED = 'the token is not valid (revoked, mistyped or from another server); sign in with a current token';

/** A stand-in for the server's tokens.whoami: knows one token, refuses the others as the server does. */
const whoami: WhoAmI = async (token) => {
  if (token === GOOD) return ADMIN;
  throw new ORPCError('UNAUTHORIZED', { message: REJECTED, data: { code: 'UNAUTHORIZED' } });
};

afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

describe('SignIn', () => {
  it('accepts a token the server knows, reports whose it is and keeps it for this tab', async () => {
    const onSignedIn = vi.fn<(token: string, principal: PrincipalInfo) => void>();
    render(<SignIn onSignedIn={onSignedIn} whoami={whoami} />);
    await userEvent.type(screen.getByLabelText('API token'), GOOD);
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(GOOD, ADMIN));
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe(GOOD);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it("shows the server's message when it refuses the token, and keeps nothing", async () => {
    const onSignedIn = vi.fn();
    render(<SignIn onSignedIn={onSignedIn} whoami={whoami} />);
    const input = screen.getByLabelText('API token');
    expect(input.getAttribute('type')).toBe('password');
    await userEvent.type(input, 'wrong-token-0123456789{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(REJECTED);
    expect(alert.textContent).toContain('UNAUTHORIZED');
    expect(onSignedIn).not.toHaveBeenCalled();
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
  });

  it('asks for a token instead of calling the server with an empty one', async () => {
    const asked = vi.fn(whoami);
    render(<SignIn onSignedIn={vi.fn()} whoami={asked} />);
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Enter an API token');
    expect(asked).not.toHaveBeenCalled();
  });

  it('signs in silently with the token saved in this tab', async () => {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, GOOD);
    const onSignedIn = vi.fn();
    render(<SignIn onSignedIn={onSignedIn} whoami={whoami} />);
    expect(screen.getByRole('status').textContent).toContain('Signing in');
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(GOOD, ADMIN));
  });

  it('drops a saved token the server no longer accepts and shows the form with why', async () => {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, 'revoked-token-0123456789');
    const onSignedIn = vi.fn();
    render(<SignIn onSignedIn={onSignedIn} whoami={whoami} />);
    expect((await screen.findByRole('alert')).textContent).toContain(REJECTED);
    expect(screen.getByLabelText('API token')).toBeTruthy();
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it('tells where the admin token is and how to make a read-only one', () => {
    render(<SignIn onSignedIn={vi.fn()} whoami={whoami} />);
    const help = document.getElementById('api-token-help')!;
    expect(help.textContent).toContain('<data dir>/admin-token');
    expect(help.textContent).toContain('SPK_ADMIN_TOKEN');
    expect(help.textContent).toContain('spk tokens create <name> --read-only');
  });
});
