// The one place where our error codes become HTTP-visible oRPC errors. Unknown errors are logged
// with the driver's code and message (never drizzle's wrapper, whose message holds the SQL and its
// parameters) and answered generically.
import { ORPCError, ValidationError } from '@orpc/server';
import { SpkError, type ErrorCode, type ValidationIssue } from '@spk/common';
import { describeError } from '../errors/driver-error.ts';
import type { Logger } from '../services.ts';

const STATUS_BY_CODE: Partial<Record<ErrorCode, { orpc: string; status: number }>> = {
  INVALID_INPUT: { orpc: 'BAD_REQUEST', status: 400 },
  INVALID_SPEC: { orpc: 'BAD_REQUEST', status: 400 },
  NOT_FOUND: { orpc: 'NOT_FOUND', status: 404 },
  BLOB_MISSING: { orpc: 'NOT_FOUND', status: 404 },
  ALREADY_EXISTS: { orpc: 'CONFLICT', status: 409 },
  INSTALL_IN_PROGRESS: { orpc: 'CONFLICT', status: 409 },
  NO_DESIRED_STATE: { orpc: 'PRECONDITION_FAILED', status: 412 },
  NOT_CONVERGED: { orpc: 'SERVICE_UNAVAILABLE', status: 503 },
  SIZE_CAP_EXCEEDED: { orpc: 'PAYLOAD_TOO_LARGE', status: 413 },
  UNAUTHORIZED: { orpc: 'UNAUTHORIZED', status: 401 },
  FORBIDDEN: { orpc: 'FORBIDDEN', status: 403 },
  TOO_MANY_RUNS: { orpc: 'TOO_MANY_REQUESTS', status: 429 },
  UNSUPPORTED_MEDIA_TYPE: { orpc: 'UNSUPPORTED_MEDIA_TYPE', status: 415 },
  LAST_ADMIN_TOKEN: { orpc: 'CONFLICT', status: 409 },
  STORE_INCOMPLETE: { orpc: 'CONFLICT', status: 409 },
  PACKAGE_NOT_FOUND: { orpc: 'NOT_FOUND', status: 404 },
  NO_MATCHING_VERSION: { orpc: 'NOT_FOUND', status: 404 },
  PACKAGE_NAME_CONFLICT: { orpc: 'CONFLICT', status: 409 },
  HOST_ID_TAKEN: { orpc: 'CONFLICT', status: 409 },
  STALE_LOCKFILE_HASH: { orpc: 'CONFLICT', status: 409 },
  REGISTRY_UNREACHABLE: { orpc: 'BAD_GATEWAY', status: 502 },
  REGISTRY_AUTH_FAILED: { orpc: 'BAD_GATEWAY', status: 502 },
  MIGRATION_IN_PROGRESS: { orpc: 'CONFLICT', status: 409 },
  GC_IN_PROGRESS: { orpc: 'CONFLICT', status: 409 },
  BLOB_STORE_FAILED: { orpc: 'BAD_GATEWAY', status: 502 },
};

/** The oRPC code and HTTP status of `code`, from the table above; 500 for codes it does not name. */
export function httpErrorFor(code: ErrorCode): { orpc: string; status: number } {
  return STATUS_BY_CODE[code] ?? { orpc: 'INTERNAL_SERVER_ERROR', status: 500 };
}

function formatPath(path: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined): string {
  return (path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.') || '(input)';
}

function validationToORPCError(error: ValidationError): ORPCError<string, unknown> {
  const issues: ValidationIssue[] = error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new ORPCError('BAD_REQUEST', {
    status: 400,
    message: `invalid input: ${summary}`,
    data: { code: 'INVALID_INPUT', issues },
    cause: error,
  });
}

export function toORPCError(error: unknown, logger: Logger): unknown {
  if (error instanceof ORPCError) {
    if (error.code === 'BAD_REQUEST' && error.cause instanceof ValidationError) return validationToORPCError(error.cause);
    if (error.cause instanceof ValidationError) {
      logger.error({ code: 'OUTPUT_VALIDATION' }, 'a procedure returned data that does not match the contract');
    }
    return error;
  }
  if (error instanceof SpkError) {
    const mapped = STATUS_BY_CODE[error.code];
    if (mapped) {
      return new ORPCError(mapped.orpc, { status: mapped.status, message: error.message, data: { code: error.code, ...error.details } });
    }
    logger.error(describeError(error), 'procedure failed');
    return new ORPCError('INTERNAL_SERVER_ERROR', { status: 500, message: error.message, data: { code: error.code } });
  }
  logger.error(describeError(error), 'unexpected error in a procedure');
  return new ORPCError('INTERNAL_SERVER_ERROR', {
    status: 500,
    message: 'internal error; the server log has the error code',
    data: { code: 'INTERNAL' },
  });
}
