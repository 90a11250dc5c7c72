// For component tests: renders a settings panel inside a session whose client is a hand-written
// stand-in for the server, implementing only the procedures the test calls (the rest are absent,
// so a call nobody expected fails loudly). The server itself is tested against the real thing.
import type { RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { ORPCError } from '@orpc/client';
import type { RegistryConfig } from '@spk/common';
import type { ApiClient } from '../api/client.ts';
import { ADMIN, renderInSession, VIEWER, type StandInClient } from '../session/stand-in-session.ts';

export type StandInServer = { [K in keyof ApiClient]?: Partial<ApiClient[K]> };

export function renderWithServer(ui: ReactElement, server: StandInServer, options: { readOnly?: boolean } = {}): RenderResult {
  return renderInSession(ui, server as StandInClient, options.readOnly ? VIEWER : ADMIN);
}

/** A validation refusal shaped as the server's error mapping sends it. */
export function invalidInput(issues: { path: string; message: string }[]): ORPCError<string, unknown> {
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return new ORPCError('BAD_REQUEST', { status: 400, message: `invalid input: ${summary}`, data: { code: 'INVALID_INPUT', issues } });
}

export function registryConfig(overrides: Partial<RegistryConfig> = {}): RegistryConfig {
  return {
    registry: 'https://registry.example.test/',
    url: 'https://registry.example.test/',
    hasToken: false,
    scopes: {},
    auth: {},
    alwaysAuth: false,
    ca: null,
    strictSsl: true,
    httpsProxy: null,
    proxy: null,
    noproxy: [],
    timeoutMs: 60_000,
    secretKeyId: null,
    updatedAt: null,
    ...overrides,
  };
}
