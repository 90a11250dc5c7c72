// What a failed registry request means, in words: the one mapping of npm's request errors to our
// codes and messages, for the registry client and the installer alike. A message names the
// registry (credentials redacted) and never quotes npm's text, which can hold the registry's
// error body. The two contexts differ only where their situations do: an install's message also
// names the package npm was fetching and says what to do about the install; the client's caller
// asked about that package itself. `reason` is the short clause a declaration that could not be
// checked is accepted with ("it did not answer within 10 s").
import { redactUrlCredentials, SpkError } from '@spk/common';
import { requestFailure, timeoutText, type RequestFailure } from './npm-errors.ts';

export const SET_TOKEN_HINT = 'set the token with spk registry import-npmrc or spk registry set';

/** A registry request that failed: an SpkError for callers, and `reason` for "declared without checking". */
export class RegistryRequestError extends SpkError {
  /** "it could not be reached (ECONNREFUSED)": continues "the registry R could not be asked: …". */
  readonly reason: string;

  constructor(code: SpkError['code'], message: string, reason: string, details: Record<string, unknown>) {
    super(code, message, details);
    this.reason = reason;
  }
}

export interface RequestContext {
  /** The registry asked (trailing slash); several when the caller cannot tell which one it was. */
  registry: string | readonly string[];
  /** The package asked about; absent for a search. */
  name?: string;
  timeoutMs: number;
  /** Our own deadline for the whole request (body included) fired. */
  timedOut?: boolean;
  /**
   * Set for an install: what npm was fetching (`name@range`, `name@version`; the name when npm did
   * not say more), named in the message with advice for the install. Absent for the registry client.
   */
  install?: { fetching: string | null; tarball: boolean };
}

interface Wording {
  code: SpkError['code'];
  message: string;
  reason: string;
  status?: number;
}

const list = (items: readonly string[]) => [...new Set(items)].join(' or ');

function wording(failure: RequestFailure, ctx: RequestContext, registry: string, host: string): Wording {
  const install = ctx.install;
  const what = install?.fetching ?? null;
  // The install names what npm was fetching; the client's caller named it.
  const about = (clause: (subject: string) => string) => (what ? clause(what) : '');
  switch (failure.kind) {
    case 'timeout': {
      const within = timeoutText(ctx.timeoutMs);
      const advice = install ? '; check the registry and the network, or raise SPK_REGISTRY_TIMEOUT_MS' : '';
      return { code: 'REGISTRY_UNREACHABLE', message: `the registry at ${host} did not answer${within}${about((w) => ` when asked for ${w}`)}${advice}`, reason: `it did not answer${within}` };
    }
    case 'unreachable':
      return {
        code: 'REGISTRY_UNREACHABLE',
        message: `the registry at ${host} could not be reached (${failure.code})${about((w) => ` for ${w}`)}; check the registry URL and the network`,
        reason: `it could not be reached (${failure.code})`,
      };
    case 'tls':
      return {
        code: 'REGISTRY_UNREACHABLE',
        message: `the registry at ${host} could not be reached${about((w) => ` for ${w}`)}: its certificate does not verify (${failure.code}); give the CA that signed it with ca or cafile (spk registry import-npmrc)`,
        reason: `its certificate does not verify (${failure.code})`,
      };
    case 'auth': {
      const status = failure.status;
      if (failure.code === 'EOTP') {
        return {
          code: 'REGISTRY_AUTH_FAILED',
          message: `the registry ${registry} asks for a one-time password${about((w) => ` for ${w}`)} (EOTP), which the server cannot give; give it a token that needs none (an automation or read-only token): ${SET_TOKEN_HINT}`,
          reason: 'it asks for a one-time password (EOTP)',
          status,
        };
      }
      if (failure.code === 'EAUTHIP') {
        return {
          code: 'REGISTRY_AUTH_FAILED',
          message: `the registry ${registry} refuses this server's address for the token${about((w) => ` (asked for ${w})`)} (EAUTHIP); allow the server's address for that token, or set one without that restriction with spk registry import-npmrc or spk registry set`,
          reason: "it refuses this server's address for the token (EAUTHIP)",
          status,
        };
      }
      return {
        code: 'REGISTRY_AUTH_FAILED',
        message: `the token for ${registry} is missing or wrong (HTTP ${status})${about((w) => `: the registry refused access to ${w}`)}; ${SET_TOKEN_HINT}`,
        reason: `it refused access (HTTP ${status}): the token for it is missing or wrong; ${SET_TOKEN_HINT}`,
        status,
      };
    }
    case 'status': {
      const status = failure.status;
      if (status === 404 && install?.tarball) {
        return { code: 'PACKAGE_NOT_FOUND', message: `the registry ${registry} has no tarball${about((w) => ` for ${w}`)} (HTTP 404); it lists a version it cannot serve: check the registry`, reason: 'it has no such tarball', status };
      }
      if (status === 404 && ctx.name !== undefined) {
        const advice = install ? '; check the name, or the registry settings (spk registry get) if it is a private package' : '';
        return { code: 'PACKAGE_NOT_FOUND', message: `no package ${ctx.name} in the registry ${registry}${advice}`, reason: 'it has no such package', status };
      }
      const failing = status >= 500 ? ': the registry itself is failing; try again later, or check the registry' : '';
      return { code: 'REGISTRY_UNREACHABLE', message: `the registry ${registry} answered HTTP ${status}${about((w) => ` for ${w}`)}${failing}`, reason: `it answered HTTP ${status}`, status };
    }
    case 'failed':
      return {
        code: 'REGISTRY_UNREACHABLE',
        message: `the request to the registry at ${host}${about((w) => ` for ${w}`)} failed (${failure.code})`,
        reason: `the request failed (${failure.code})`,
      };
  }
}

/**
 * The error npm-registry-fetch (or pacote, or the network under them) threw, as a
 * RegistryRequestError; null for anything that is not a request failure (a bug, or an Arborist
 * error of its own, must surface as itself). The registry client counts every coded error from
 * its fetch as a request failure; the installer only those of npm's request stack.
 */
export function registryFailure(error: unknown, ctx: RequestContext): RegistryRequestError | null {
  const failure = requestFailure(error, { timedOut: ctx.timedOut ?? false, anyCoded: ctx.install === undefined });
  if (!failure) return null;
  const registries = typeof ctx.registry === 'string' ? [ctx.registry] : ctx.registry;
  const registry = list(registries.map(redactUrlCredentials));
  const host = list(registries.map((url) => new URL(url).host));
  const said = wording(failure, ctx, registry, host);
  const npmCode = (error as { code?: unknown }).code;
  return new RegistryRequestError(said.code, said.message, said.reason, {
    registry,
    ...(ctx.name === undefined ? {} : { name: ctx.name }),
    ...(said.status === undefined ? {} : { status: said.status }),
    npmCode: typeof npmCode === 'string' ? npmCode : null,
  });
}

/** The registry answered, but not with the document asked for. */
export function unreadableAnswer(ctx: { registry: string; name?: string }, expected: string): RegistryRequestError {
  const registry = redactUrlCredentials(ctx.registry);
  const about = ctx.name === undefined ? '' : ` for ${ctx.name}`;
  return new RegistryRequestError('REGISTRY_UNREACHABLE', `the registry ${registry} answered${about} with something that is not ${expected}`, `its answer is not ${expected}`, {
    registry,
    ...(ctx.name === undefined ? {} : { name: ctx.name }),
  });
}

/**
 * The answer was larger than the client reads. The registry's doing, not the caller's: a
 * REGISTRY_UNREACHABLE (502), as any other answer that cannot be used, rather than a 413 that would
 * blame the request.
 */
export function answerTooLarge(ctx: { registry: string; name?: string }, maxBytes: number): RegistryRequestError {
  const registry = redactUrlCredentials(ctx.registry);
  const about = ctx.name === undefined ? 'its search answer' : `the document of ${ctx.name}`;
  const limit = `${Math.round(maxBytes / (1024 * 1024))} MiB`;
  return new RegistryRequestError('REGISTRY_UNREACHABLE', `the registry ${registry} sent ${about} larger than ${limit}, more than the registry client reads`, `its answer is larger than ${limit}`, {
    registry,
    maxBytes,
    ...(ctx.name === undefined ? {} : { name: ctx.name }),
  });
}
