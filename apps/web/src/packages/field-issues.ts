// Puts each part of a failed add next to the field it concerns: validation issues by their path,
// and registry refusals by their code (an unknown name belongs to "Package name", no matching
// version to "Version"). Whatever names no field stays with the form.
import type { ApiFailure, ApiIssue } from '../api/errors.ts';

export interface SplitFailure<F extends string> {
  /** Issues per field of the form, in the order the server gave them. */
  byField: Partial<Record<F, ApiIssue[]>>;
  /** What is left for the form as a whole; null when everything found its field. */
  rest: ApiFailure | null;
}

export function splitFailure<F extends string>(failure: ApiFailure | null, fields: readonly F[], fieldOfCode: Partial<Record<string, F>> = {}): SplitFailure<F> {
  if (!failure) return { byField: {}, rest: null };
  const byField: Partial<Record<F, ApiIssue[]>> = {};
  if (failure.issues.length === 0) {
    const field = fieldOfCode[failure.code];
    if (!field) return { byField, rest: failure };
    byField[field] = [{ path: field, message: failure.message }];
    return { byField, rest: null };
  }
  const others: ApiIssue[] = [];
  for (const issue of failure.issues) {
    // "range" and "range.something" both belong to the range field.
    const field = fields.find((f) => issue.path === f || issue.path.startsWith(`${f}.`));
    if (field) (byField[field] ??= []).push(issue);
    else others.push(issue);
  }
  // The message repeats every issue; once each is at its field, repeating it above would be noise.
  return { byField, rest: others.length > 0 ? { ...failure, issues: others } : null };
}
