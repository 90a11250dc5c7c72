// What a failure means for the agent loop: the core cannot be reached (keep the tree, retry), the
// core refused the token (say so, retry slowly), or anything else (report it, retry with backoff);
// and the short message that is safe to log and to report to the core.
import { ORPCError } from '@orpc/client';
import { isSpkError, MAX_REPORTED_ERROR_LENGTH, networkErrorCode } from '@spk/common';

export type FailureKind = 'unreachable' | 'unauthorized' | 'forbidden' | 'other';

const statusOf = (error: unknown): number | null => {
  if (error instanceof ORPCError) return error.status;
  if (isSpkError(error) && typeof error.details?.status === 'number') return error.details.status;
  return null;
};

export function classifyFailure(error: unknown): FailureKind {
  const status = statusOf(error);
  if (status === 401 || (error instanceof ORPCError && error.code === 'UNAUTHORIZED')) return 'unauthorized';
  if (status === 403 || (error instanceof ORPCError && error.code === 'FORBIDDEN')) return 'forbidden';
  // A gateway in front of a stopped core answers 502-504; the core itself 503 while it starts.
  if (status !== null && status >= 502 && status <= 504) return 'unreachable';
  if (networkErrorCode(error) !== null) return 'unreachable';
  if (error instanceof Error && error.name === 'AbortError') return 'unreachable';
  return 'other';
}

/** "CODE: message", cut to what a report may carry. Never includes request headers, so never the token. */
export function safeErrorMessage(error: unknown): string {
  let text: string;
  if (isSpkError(error)) text = `${error.code}: ${error.message}`;
  else if (error instanceof ORPCError) {
    const data = error.data as { code?: unknown } | undefined;
    const code = typeof data?.code === 'string' ? data.code : error.code;
    text = `${code}: ${error.message}`;
  } else {
    const network = networkErrorCode(error);
    text = network ? `core unreachable (${network})` : error instanceof Error ? error.message : String(error);
  }
  return text.length > MAX_REPORTED_ERROR_LENGTH ? `${text.slice(0, MAX_REPORTED_ERROR_LENGTH - 1)}…` : text;
}
