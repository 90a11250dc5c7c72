// Turns any thrown value into fields that are safe to log, and messages that are safe to store or
// return. drizzle wraps a driver error in one whose message is the SQL text and its parameters; the
// driver's own error (the wrapper's `cause`) carries the SQLSTATE and a message without them.
import { DrizzleQueryError } from 'drizzle-orm';
import { SpkError } from '@spk/common';

export interface ErrorFields {
  /** SpkError code, SQLSTATE (57P01), driver or system code (CONNECTION_CLOSED, ECONNREFUSED), else UNKNOWN. */
  code: string;
  /** The first message in the cause chain that is not a query wrapper's. */
  message: string;
  kind: string;
  /** The first coded error under the top one (e.g. the driver error an SpkError wraps). */
  cause?: { code: string; message: string };
  /** Only for errors without any code (programming errors), where it is what makes them diagnosable. */
  stack?: string;
}

const MAX_CHAIN = 8;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** drizzle's wrapper (message "Failed query: … params: …"); PGlite's own error, also with `query`/`params` fields, is not one. */
function isQueryWrapper(error: unknown): boolean {
  return error instanceof DrizzleQueryError || (error instanceof Error && error.message.startsWith('Failed query:'));
}

function chainOf(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e: unknown = error; e !== undefined && e !== null && chain.length < MAX_CHAIN && !chain.includes(e); e = (e as { cause?: unknown }).cause) {
    chain.push(e);
  }
  return chain;
}

const codeOf = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length > 0 ? code : undefined;
};

/** What to log about an error: the driver's code and message, never a query wrapper's text. */
export function describeError(error: unknown): ErrorFields {
  const safe = chainOf(error).filter((e) => !isQueryWrapper(e));
  const top = safe[0];
  const code = codeOf(safe.find((e) => codeOf(e) !== undefined)) ?? 'UNKNOWN';
  if (top === undefined) return { code, message: 'a database query failed (the driver gave no further detail)', kind: 'DrizzleQueryError' };
  const isError = top instanceof Error;
  const fields: ErrorFields = {
    code,
    // Our own messages sometimes quote a cause's message, which may be a wrapper's.
    message: isError ? withoutQueryText(top.message) : `a non-error value was thrown (${typeof top})`,
    kind: isError ? top.name : typeof top,
  };
  // An error of ours wrapping a driver error: the driver's code and message are the diagnosis.
  const deeper = safe.slice(1).find((e) => codeOf(e) !== undefined);
  if (deeper !== undefined) fields.cause = { code: codeOf(deeper)!, message: withoutQueryText((deeper as Error).message ?? '') };
  if (code === 'UNKNOWN' && isError && top.stack) fields.stack = withoutQueryText(top.stack);
  return fields;
}

/** Just the code of describeError, for log lines where a driver error's message (SQL parameters) has no place. */
export const errorCode = (error: unknown): string => describeError(error).code;

/**
 * A message fit for a stored status or an API answer: an SpkError's own message (ours, written to be
 * shown), anything else reduced to what failed and the code, with the details left in the log.
 */
export function publicErrorMessage(error: unknown, what: string): string {
  if (error instanceof SpkError) return withoutQueryText(error.message);
  const { code } = describeError(error);
  const kind = SQLSTATE.test(code) || code.startsWith('CONNECT') ? 'database error' : 'error';
  return `${what} (${kind} ${code}); the server log has the details`;
}

/** Drops anything from a drizzle "Failed query" text onward: rows written by older versions held it. */
export function withoutQueryText(message: string): string {
  const at = message.indexOf('Failed query:');
  if (at === -1) return message;
  const kept = message.slice(0, at).trimEnd();
  return `${kept}${kept ? ' ' : ''}(a database query failed; details withheld)`;
}
