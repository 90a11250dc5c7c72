// Every failure the CLI can meet, mapped to one message and one exit code (see exit-codes.ts).
// Pure: the caller prints. Messages name the URL and where the token came from, never the token.
import { ORPCError } from '@orpc/client';
import { isSpkError, networkErrorCode, type ErrorCode, type ValidationIssue } from '@spk/common';
import { UsageError } from './args.ts';
import type { Connection, TokenSource } from './client.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

/** A command ran to the end but its outcome is a failure (install failed, script threw). */
export class CommandFailedError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, exitCode: ExitCode = EXIT.FAILURE) {
    super(message);
    this.name = 'CommandFailedError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

export interface CliFailure {
  exitCode: ExitCode;
  /** Human text for stderr, possibly several lines. */
  message: string;
  /** The `error` member of the JSON printed on stderr under `--json`. */
  json: { code: string; message: string } & Record<string, unknown>;
}

export type ErrorContext = Pick<Connection, 'serverUrl' | 'serverSource' | 'tokenSource'>;

const INVALID_INPUT_CODES: ReadonlySet<string> = new Set<ErrorCode>(['INVALID_INPUT', 'INVALID_SPEC']);
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Standard Schema issues carry path segments as keys or `{ key }` objects. */
function pathSegment(segment: unknown): string {
  if (isRecord(segment) && 'key' in segment) return String(segment.key);
  return String(segment);
}

/** The server sends `path` already joined ("range"); zod and Standard Schema send segments. */
function issuePath(path: unknown): string {
  if (typeof path === 'string' && path !== '') return path;
  if (Array.isArray(path) && path.length > 0) return path.map(pathSegment).join('.');
  return '(input)';
}

export function toIssues(value: unknown): ValidationIssue[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter(isRecord).map((issue) => ({
    path: issuePath(issue.path),
    message: typeof issue.message === 'string' ? issue.message : 'invalid',
  }));
}

export function formatIssues(headline: string, issues: readonly ValidationIssue[]): string {
  return [headline, ...issues.map((issue) => `  ${issue.path}: ${issue.message}`)].join('\n');
}

function describeTokenSource(source: TokenSource): string {
  switch (source.kind) {
    case 'flag':
      return 'the token given with --token';
    case 'env':
      return `the token from ${source.name}`;
    case 'file':
      return `the token read from ${source.path}`;
    case 'none':
      return `no token (--token not given, SPK_TOKEN not set, ${source.path} ${source.reason})`;
  }
}

function authMessage(ctx: ErrorContext): string {
  const how =
    'Set SPK_TOKEN (or pass --token) to the server\'s admin token, or point --data-dir / SPK_DATA_DIR at the ' +
    'server\'s data directory so the CLI reads <data dir>/admin-token.';
  if (ctx.tokenSource.kind === 'none') {
    return `the server at ${ctx.serverUrl} requires a token and the CLI found ${describeTokenSource(ctx.tokenSource)}.\n${how}`;
  }
  const stale = ctx.tokenSource.kind === 'file' ? ' The file may belong to another server or data directory.' : '';
  return `the server at ${ctx.serverUrl} rejected ${describeTokenSource(ctx.tokenSource)} (401 Unauthorized).${stale}\n${how}`;
}

function unreachableMessage(ctx: ErrorContext, reason: string): string {
  const from = ctx.serverSource === 'default' ? 'the default URL' : `the URL from ${ctx.serverSource}`;
  return (
    `cannot reach the spk server at ${ctx.serverUrl} (${from}): ${reason}.\n` +
    'Start one with `npm start` at the repository root, or point --server / SPK_SERVER at a running server.'
  );
}

/** The permission a 403 says the token lacks: the server's message quotes it. */
function missingPermission(error: ORPCError<string, unknown>): string | null {
  return /lacks the "([a-z]+)" permission/.exec(error.message)?.[1] ?? null;
}

/**
 * Every admin and read-only token holds `read`, so a token refused for lacking it is a satellite
 * token: say so, and where each kind of token goes, rather than a bare 403.
 */
function satelliteTokenMessage(ctx: ErrorContext | null): string {
  const token = ctx ? describeTokenSource(ctx.tokenSource) : 'the token';
  return (
    `${token} is a satellite token: only spk-agent may use it (desired state, watch, report, blob downloads), not spk.\n` +
    'Give spk an admin or read-only token (SPK_TOKEN or --token), and give this one to spk-agent (SPK_AGENT_TOKEN).'
  );
}

/** RPCLink turns a non-oRPC error response into an ORPCError whose data is the raw response. */
function isRawHttpResponse(data: unknown): data is { status: number; body: unknown } {
  return isRecord(data) && typeof data.status === 'number' && 'headers' in data && 'body' in data;
}

function describeORPCError(error: ORPCError<string, unknown>, ctx: ErrorContext | null): CliFailure {
  const data: unknown = error.data;
  const base = { status: error.status };
  if (error.status === 401 || error.code === 'UNAUTHORIZED') {
    const message = ctx ? authMessage(ctx) : 'the server rejected the token (401 Unauthorized)';
    return { exitCode: EXIT.AUTH, message, json: { code: 'UNAUTHORIZED', message, ...base } };
  }
  if (error.status === 403 || error.code === 'FORBIDDEN') {
    const message = missingPermission(error) === 'read' ? satelliteTokenMessage(ctx) : `the token is valid but may not do this: ${error.message}`;
    return { exitCode: EXIT.AUTH, message, json: { code: 'FORBIDDEN', message, ...base } };
  }
  if (isRawHttpResponse(data)) {
    const where = ctx?.serverUrl ?? 'the server';
    const message =
      `${where} answered HTTP ${data.status} without an oRPC response: is it an spk server ` +
      '(and one that knows this command)? Check --server / SPK_SERVER.';
    return { exitCode: EXIT.UNREACHABLE, message, json: { code: 'NOT_AN_SPK_SERVER', message, ...base } };
  }
  const issues = isRecord(data) ? toIssues(data.issues) : null;
  if (error.code === 'BAD_REQUEST' && issues) {
    const code = isRecord(data) && typeof data.code === 'string' ? data.code : 'INVALID_INPUT';
    const message = formatIssues('the server refused the input:', issues);
    return { exitCode: EXIT.INVALID, message, json: { code, message: error.message, issues, ...base } };
  }
  if (isRecord(data) && typeof data.code === 'string') {
    const { code, ...details } = data;
    const exitCode = INVALID_INPUT_CODES.has(code) ? EXIT.INVALID : EXIT.FAILURE;
    const message = issues ? formatIssues(error.message, issues) : error.message;
    return { exitCode, message: `${message} [${code}]`, json: { ...details, code, message: error.message, ...base } };
  }
  const message = `the server failed the request (${error.code}, HTTP ${error.status}): ${error.message}`;
  return { exitCode: EXIT.FAILURE, message, json: { code: error.code, message: error.message, ...base } };
}

export function describeError(error: unknown, ctx: ErrorContext | null): CliFailure {
  if (error instanceof UsageError) {
    return { exitCode: EXIT.INVALID, message: error.message, json: { code: 'USAGE', message: error.message } };
  }
  if (error instanceof CommandFailedError) {
    return { exitCode: error.exitCode, message: `${error.message} [${error.code}]`, json: { code: error.code, message: error.message } };
  }
  if (isSpkError(error)) {
    const issues = toIssues(error.details?.issues);
    const exitCode = INVALID_INPUT_CODES.has(error.code) ? EXIT.INVALID : EXIT.FAILURE;
    const message = issues ? formatIssues(error.message, issues) : error.message;
    return { exitCode, message, json: { ...error.details, code: error.code, message: error.message } };
  }
  if (error instanceof ORPCError) return describeORPCError(error, ctx);

  const network = networkErrorCode(error);
  if (network) {
    const message = ctx ? unreachableMessage(ctx, network) : `cannot reach the server: ${network}`;
    return { exitCode: EXIT.UNREACHABLE, message, json: { code: 'UNREACHABLE', message, cause: network } };
  }
  const text = error instanceof Error ? error.message : String(error);
  // RPCLink's words for a success response it cannot decode: something other than spk answered.
  if (/^(Cannot parse response body|Invalid RPC response format)/.test(text)) {
    const message = `${ctx?.serverUrl ?? 'the server'} did not answer with the oRPC protocol: is it an spk server? Check --server / SPK_SERVER.`;
    return { exitCode: EXIT.UNREACHABLE, message, json: { code: 'NOT_AN_SPK_SERVER', message } };
  }
  return { exitCode: EXIT.FAILURE, message: `unexpected error: ${text}`, json: { code: 'INTERNAL', message: text } };
}
