// "Version": the chosen package's dist-tags and versions from the registry, or a custom range typed
// by hand (also the way out when the registry cannot list versions). The value is the range to
// declare: a dist-tag name, an exact version, or the custom text.
import { useEffect, useId, useState, type Dispatch, type SetStateAction } from 'react';
import { describeApiError, type ApiFailure, type ApiIssue } from '../api/errors.ts';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { FieldIssues } from './field-issues-view.tsx';
import { defaultVersionChoice, versionOptions, type VersionOption } from './version-options.ts';

export const CUSTOM_RANGE = '\u0000custom';

export interface VersionChoice {
  /** An option's value, CUSTOM_RANGE, or "" before a package is chosen. */
  choice: string;
  custom: string;
}

export function rangeOf({ choice, custom }: VersionChoice): string {
  return choice === CUSTOM_RANGE ? custom.trim() : choice;
}

export interface VersionPickerProps {
  /** The chosen package; null until one is. */
  name: string | null;
  value: VersionChoice;
  onChange: Dispatch<SetStateAction<VersionChoice>>;
  issues?: ApiIssue[] | undefined;
  /** The failure's code, shown with the issues. */
  issueCode?: string;
}

export function VersionPicker({ name, value, onChange, issues, issueCode = '' }: VersionPickerProps) {
  const { client } = useSession();
  const id = useId();
  const [versions, setVersions] = useState<{ name: string; options: VersionOption[]; error: ApiFailure | null } | null>(null);

  // Fetched here rather than with useApi: the answer must be tied to the name it is for, so a
  // preselection never comes from the previous package's list.
  useEffect(() => {
    if (!name) return;
    let live = true;
    setVersions(null);
    client.registry.versions({ name }).then(
      (answer) => {
        if (!live) return;
        const options = versionOptions(answer);
        setVersions({ name, options, error: null });
        onChange((v) => (v.choice === '' ? { ...v, choice: defaultVersionChoice(options) || CUSTOM_RANGE } : v));
      },
      (error: unknown) => {
        if (!live) return;
        // Without the list, the choice stays "" (the API's default, latest) or a typed range; the
        // add itself then says what is wrong with the name, at the name.
        setVersions({ name, options: [], error: describeApiError(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [client, name]);
  const current = versions && versions.name === name ? versions : null;
  const options = current?.options ?? [];

  const errorId = `${id}-error`;
  const hasIssues = (issues?.length ?? 0) > 0;
  const group = (g: VersionOption['group']) => options.filter((o) => o.group === g);
  return (
    <div className="field version-field">
      <label htmlFor={`${id}-select`}>Version</label>
      <select
        id={`${id}-select`}
        value={name ? value.choice : ''}
        disabled={!name}
        aria-describedby={hasIssues && value.choice !== CUSTOM_RANGE ? errorId : undefined}
        aria-invalid={(hasIssues && value.choice !== CUSTOM_RANGE) || undefined}
        onChange={(e) => onChange({ ...value, choice: e.target.value })}
      >
        {!name && <option value="">Choose a package first</option>}
        {name && !current && <option value="">Loading versions…</option>}
        {current?.error && <option value="">latest (the default)</option>}
        {group('tags').length > 0 && (
          <optgroup label="Dist-tags">
            {group('tags').map((o) => (
              <option key={`tag:${o.value}`} value={o.value}>
                {o.label}
              </option>
            ))}
          </optgroup>
        )}
        {group('versions').length > 0 && (
          <optgroup label="Versions">
            {group('versions').map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </optgroup>
        )}
        {name && <option value={CUSTOM_RANGE}>Custom range…</option>}
      </select>
      {name && value.choice === CUSTOM_RANGE && (
        <>
          <label htmlFor={`${id}-range`}>Range</label>
          <input
            id={`${id}-range`}
            type="text"
            placeholder="^1.2.0"
            spellCheck={false}
            value={value.custom}
            aria-describedby={hasIssues ? errorId : undefined}
            aria-invalid={hasIssues || undefined}
            onChange={(e) => onChange({ ...value, custom: e.target.value })}
          />
        </>
      )}
      <ErrorText failure={current?.error ?? null} />
      <FieldIssues id={errorId} code={issueCode} issues={issues} />
    </div>
  );
}
