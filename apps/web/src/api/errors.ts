// An API failure as the page shows it: the server's own message, word for word, its code, and the
// per-field issues of a validation error, so a form can put each next to its field.
import { ORPCError } from '@orpc/client';

export interface ApiIssue {
  /** Dot-joined field path ("range"), or "" for the input as a whole. */
  path: string;
  message: string;
}

export interface ApiFailure {
  code: string;
  message: string;
  issues: ApiIssue[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function issuePath(path: unknown): string {
  if (typeof path === 'string') return path;
  if (Array.isArray(path)) return path.map((segment) => (isRecord(segment) && 'key' in segment ? String(segment.key) : String(segment))).join('.');
  return '';
}

export function describeApiError(error: unknown): ApiFailure {
  if (error instanceof ORPCError) {
    const data: unknown = error.data;
    const code = isRecord(data) && typeof data.code === 'string' ? data.code : String(error.code);
    const rawIssues = isRecord(data) && Array.isArray(data.issues) ? data.issues : [];
    const issues = rawIssues.filter(isRecord).map((issue) => ({ path: issuePath(issue.path), message: typeof issue.message === 'string' ? issue.message : 'invalid' }));
    return { code, message: error.message, issues };
  }
  if (error instanceof TypeError) {
    return { code: 'UNREACHABLE', message: `cannot reach the server (${error.message}); check that it is running and reload the page`, issues: [] };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), issues: [] };
}
