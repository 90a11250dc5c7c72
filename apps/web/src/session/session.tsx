// Who is signed in: the token's client and what it may do. The token lives in sessionStorage (this
// tab, until it closes), never in localStorage nor in a URL.
import { createContext, useContext } from 'react';
import type { Permission, PrincipalInfo } from '@spk/common';
import type { ApiClient } from '../api/client.ts';

export const TOKEN_STORAGE_KEY = 'spk.token';

export interface Session {
  client: ApiClient;
  /** For the plain GET routes (types) that the oRPC client does not cover. */
  token: string;
  principal: PrincipalInfo;
  can(permission: Permission): boolean;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export function sessionFor(client: ApiClient, token: string, principal: PrincipalInfo, signOut: () => void): Session {
  return { client, token, principal, can: (permission) => principal.permissions.includes(permission), signOut };
}
