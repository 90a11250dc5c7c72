import { ORPCError } from '@orpc/client';
import { describe, expect, it } from 'vitest';
import { MAX_REPORTED_ERROR_LENGTH, SpkError } from '@spk/common';
import { BlobHttpError } from './blob-fetch.ts';
import { classifyFailure, safeErrorMessage } from './error-kinds.ts';
import { connectionRefused } from './test-support/fake-core.ts';

describe('what a failure means to the agent', () => {
  it('tells a core that cannot be reached from a refused token and from a failed reconcile', () => {
    expect(classifyFailure(connectionRefused())).toBe('unreachable');
    expect(classifyFailure(new ORPCError('BAD_GATEWAY', { status: 502 }))).toBe('unreachable');
    expect(classifyFailure(new TypeError('terminated'))).toBe('unreachable');
    expect(classifyFailure(new ORPCError('UNAUTHORIZED', { status: 401 }))).toBe('unauthorized');
    expect(classifyFailure(new BlobHttpError(401, 'refused'))).toBe('unauthorized');
    expect(classifyFailure(new ORPCError('FORBIDDEN', { status: 403 }))).toBe('forbidden');
    expect(classifyFailure(new SpkError('INTEGRITY_MISMATCH', 'bad bytes'))).toBe('other');
    expect(classifyFailure(new ORPCError('INTERNAL_SERVER_ERROR', { status: 500 }))).toBe('other');
  });

  it('reports a short message with the code, cut to what a report may carry', () => {
    expect(safeErrorMessage(new SpkError('INTEGRITY_MISMATCH', 'bad bytes'))).toBe('INTEGRITY_MISMATCH: bad bytes');
    expect(safeErrorMessage(connectionRefused())).toBe('core unreachable (ECONNREFUSED)');
    expect(safeErrorMessage(new ORPCError('CONFLICT', { status: 409, message: 'taken', data: { code: 'HOST_ID_TAKEN' } }))).toBe('HOST_ID_TAKEN: taken');
    expect(safeErrorMessage(new Error('x'.repeat(5000)))).toHaveLength(MAX_REPORTED_ERROR_LENGTH);
  });
});
