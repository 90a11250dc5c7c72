// A field's own errors, in the API's words, right under the field (its id goes in the field's
// aria-describedby). The same ErrorText as everywhere, holding only this field's part.
import type { ApiIssue } from '../api/errors.ts';
import { ErrorText } from '../ui/error-text.tsx';

export function FieldIssues({ id, code, issues }: { id: string; code: string; issues: ApiIssue[] | undefined }) {
  const [first, ...more] = issues ?? [];
  if (!first) return null;
  return <ErrorText id={id} failure={{ code, message: first.message, issues: more.map((m) => ({ path: '', message: m.message })) }} />;
}
