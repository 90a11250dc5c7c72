// The one error type shared by every package. `code` is the stable part callers branch on;
// the router maps codes to HTTP statuses in one place.
export const ERROR_CODES = [
  'INVALID_INPUT',
  'INVALID_SPEC',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'INSTALL_IN_PROGRESS',
  'NO_DESIRED_STATE',
  'RESOLVE_FAILED',
  'REGISTRY_UNREACHABLE',
  'INTEGRITY_MISMATCH',
  'SIZE_CAP_EXCEEDED',
  'BLOB_MISSING',
  'UNSAFE_TARBALL',
  'NOT_CONVERGED',
  'RUN_FAILED',
  'RUN_TIMEOUT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'INTERNAL',
  'INSTALL_LEASE_LOST',
  'INSTALL_SUPERSEDED',
  'DATA_DIR_LOCKED',
  'DATA_DIR_UNUSABLE',
  'TOO_MANY_RUNS',
  'RUN_RESULT_TOO_LARGE',
  'RUN_OUT_OF_MEMORY',
  'UNSUPPORTED_MEDIA_TYPE',
  'LAST_ADMIN_TOKEN',
  'STORE_INCOMPLETE',
  'DECLARED_PACKAGE_MISSING',
  'PACKAGE_NOT_FOUND',
  'NO_MATCHING_VERSION',
  'PACKAGE_NAME_CONFLICT',
  'HOST_ID_TAKEN',
  'STALE_LOCKFILE_HASH',
  /** A registry refused our credentials (401/403): the message names the registry, never the secret. */
  'REGISTRY_AUTH_FAILED',
  /** An allowed lifecycle script failed on a host: that host keeps its previous tree. */
  'INSTALL_SCRIPT_FAILED',
  /** Stored secrets were sealed with another key than this instance has. */
  'SECRET_KEY_MISMATCH',
  /** A storage migration holds the installer lock (installs, rollback and blob GC wait for it). */
  'MIGRATION_IN_PROGRESS',
  /** A blob GC run holds the installer lock. */
  'GC_IN_PROGRESS',
  /** A blob store (S3, a filesystem volume) failed an operation: the message names the store and the operation, never a secret. */
  'BLOB_STORE_FAILED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class SpkError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpkError';
    this.code = code;
    this.details = details;
  }
}

export function isSpkError(error: unknown, code?: ErrorCode): error is SpkError {
  return error instanceof SpkError && (code === undefined || error.code === code);
}

/** One entry of `data.issues` on an INVALID_INPUT error: the field path (dot-joined) and the problem. */
export interface ValidationIssue {
  path: string;
  message: string;
}
