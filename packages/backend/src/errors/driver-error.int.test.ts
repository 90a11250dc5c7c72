import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpkError } from '@spk/common';
import { createTestDatabase, testDrivers, type TestDatabase } from '../testing/test-database.ts';
import { describeError, publicErrorMessage, withoutQueryText } from './driver-error.ts';

const SECRET = 'sha512-notforthelogs';

describe.each(testDrivers())('describing a failed query (%s)', (driver) => {
  let t: TestDatabase;
  let failure: unknown;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    failure = await t.database.db.execute(sql`select * from no_such_table where id = ${SECRET}`).then(
      () => null,
      (error: unknown) => error,
    );
  });
  afterAll(() => t?.drop());

  it('gives the driver code and message from under drizzle\'s wrapper, whose message holds SQL and parameters', () => {
    expect((failure as Error).message).toContain(SECRET);
    const fields = describeError(failure);
    expect(fields).toMatchObject({ code: '42P01', message: expect.stringContaining('no_such_table') });
    expect(JSON.stringify(fields)).not.toMatch(new RegExp(`${SECRET}|select|params`, 'i'));
  });

  it('gives a public message with the code only', () => {
    expect(publicErrorMessage(failure, 'listing packages failed')).toBe('listing packages failed (database error 42P01); the server log has the details');
  });

  it('keeps the code of a driver error wrapped in an error of ours', () => {
    const wrapped = new SpkError('INTERNAL', 'reading the state failed', undefined, { cause: failure });
    expect(describeError(wrapped)).toMatchObject({ code: 'INTERNAL', message: 'reading the state failed', cause: { code: '42P01' } });
  });
});

describe('describing other errors', () => {
  it('passes our own messages and withholds query text an older version stored', () => {
    expect(publicErrorMessage(new SpkError('BLOB_MISSING', 'blob x is missing; install again'), 'reconcile failed')).toBe('blob x is missing; install again');
    expect(withoutQueryText('Failed query: select "a" from "b" where "c" = $1\nparams: sha512-x')).toBe('(a database query failed; details withheld)');
  });

  it('keeps the stack of a programming error, which has no code', () => {
    const fields = describeError(new TypeError("Cannot read properties of null (reading 'write')"));
    expect(fields).toMatchObject({ code: 'UNKNOWN', kind: 'TypeError', stack: expect.stringContaining('TypeError') });
  });
});
