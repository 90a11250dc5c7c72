// An API failure where it happened: the server's message verbatim (it says what to do), its code,
// and any per-field issues. role="alert" so screen readers announce it.
import type { ApiFailure } from '../api/errors.ts';

export function ErrorText({ failure, id }: { failure: ApiFailure | null; id?: string }) {
  if (!failure) return null;
  return (
    <div className="error" role="alert" id={id}>
      <span className="error-message">{failure.message}</span> <code className="error-code">{failure.code}</code>
      {failure.issues.length > 0 && (
        <ul className="error-issues">
          {failure.issues.map((issue, i) => (
            <li key={i}>
              {issue.path ? <strong>{issue.path}: </strong> : null}
              {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
