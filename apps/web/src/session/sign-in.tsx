// Placeholder sign-in: replaced by the real form.
import type { PrincipalInfo } from '@spk/common';

export function SignIn(_props: { onSignedIn(token: string, principal: PrincipalInfo): void }) {
  return <h1>Sign in</h1>;
}
