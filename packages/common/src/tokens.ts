// API tokens as the API shows them: a name, what it may do, when it was made and last used. The
// token itself appears once, in the answer to `tokens.create`; no other shape carries it.
import * as z from 'zod';
import { PERMISSIONS } from './access.ts';

/** Shortest bearer token any source may supply (SPK_ADMIN_TOKEN included): shorter ones are guessable. */
export const MIN_TOKEN_LENGTH = 16;

/** A name an admin gives a token or a satellite: safe in a URL path, a log line and a file name. */
export function identityNameSchema(what: string, example: string) {
  return z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
    error: `a ${what} name is 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. "${example}")`,
  });
}

export const tokenNameSchema = identityNameSchema('token', 'ci-deploy');

export const createTokenInputSchema = z.strictObject({
  name: tokenNameSchema,
  /** A read-only token may call every `read` procedure and nothing that changes state. */
  readOnly: z.boolean().default(false),
});
export type CreateTokenInput = z.input<typeof createTokenInputSchema>;

export const tokenNameInputSchema = z.strictObject({ name: tokenNameSchema });

export const tokenInfoSchema = z.object({
  name: z.string(),
  permissions: z.array(z.enum(PERMISSIONS)),
  createdAt: z.iso.datetime(),
  /** Updated at most once a minute per token, so it is accurate to about a minute. */
  lastUsedAt: z.iso.datetime().nullable(),
});
export type TokenInfo = z.infer<typeof tokenInfoSchema>;

export const createdTokenSchema = tokenInfoSchema.extend({
  /** Shown only here: the server keeps just its sha256. */
  token: z.string(),
});
export type CreatedToken = z.infer<typeof createdTokenSchema>;

/** Who the caller is, for a client deciding what to offer: `tokens.whoami`. */
export const principalInfoSchema = z.object({
  /** The token's name (the first admin token is "admin"). */
  name: z.string(),
  permissions: z.array(z.enum(PERMISSIONS)),
  /** True when the token may read but change nothing (no `manage`). */
  readOnly: z.boolean(),
});
export type PrincipalInfo = z.infer<typeof principalInfoSchema>;
