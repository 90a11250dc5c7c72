import { describe, expect, it } from 'vitest';
import { splitFailure } from './field-issues.ts';

const fields = ['name', 'range'] as const;
const byCode = { PACKAGE_NOT_FOUND: 'name', NO_MATCHING_VERSION: 'range' } as const;

describe('splitFailure', () => {
  it('moves issues naming a form field to that field and keeps the others with the message', () => {
    const failure = {
      code: 'INVALID_INPUT',
      message: 'invalid input: …',
      issues: [
        { path: 'range', message: '"git+x" is a git spec' },
        { path: 'name', message: 'name cannot start with a dot' },
        { path: '(input)', message: 'unknown key "x"' },
        { path: 'rangeish', message: 'not a field of ours' },
      ],
    };
    const { byField, rest } = splitFailure(failure, fields, byCode);
    expect(byField.range?.map((i) => i.message)).toEqual(['"git+x" is a git spec']);
    expect(byField.name?.map((i) => i.message)).toEqual(['name cannot start with a dot']);
    expect(rest).toEqual({ ...failure, issues: [failure.issues[2], failure.issues[3]] });
  });

  it('leaves nothing for the form once every issue is at its field', () => {
    const failure = { code: 'INVALID_INPUT', message: 'invalid input: range: bad', issues: [{ path: 'range', message: 'bad' }] };
    expect(splitFailure(failure, fields).rest).toBeNull();
  });

  it('puts a refusal without issues at the field its code concerns, message verbatim', () => {
    const failure = { code: 'NO_MATCHING_VERSION', message: 'no version of a matches 9; the newest is 1.0.0', issues: [] };
    expect(splitFailure(failure, fields, byCode)).toEqual({ byField: { range: [{ path: 'range', message: failure.message }] }, rest: null });
    const other = { code: 'REGISTRY_UNREACHABLE', message: 'cannot reach', issues: [] };
    expect(splitFailure(other, fields, byCode)).toEqual({ byField: {}, rest: other });
  });

  it('gives nothing for no failure', () => {
    expect(splitFailure(null, fields)).toEqual({ byField: {}, rest: null });
  });
});
