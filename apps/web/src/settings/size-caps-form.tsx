// Editing the size caps: an amount and a unit per cap. Only "is it a number" is checked here; the
// rules (positive, warn not above block) are the API's, and its words appear beside the field.
import { useId, useState, type FormEvent } from 'react';
import type { SizeCaps } from '@spk/common';
import type { ApiFailure } from '../api/errors.ts';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { useAction } from '../ui/hooks.ts';
import { CAP_FIELDS, type CapKey } from './cap-fields.ts';
import { bytesFromField, fieldFromBytes, SIZE_UNITS, type SizeField, type SizeUnit } from './size-units.ts';

type Fields = Record<CapKey, SizeField>;

function fieldsOf(caps: SizeCaps): Fields {
  return { warnTotalBytes: fieldFromBytes(caps.warnTotalBytes), blockTotalBytes: fieldFromBytes(caps.blockTotalBytes), maxPackageBytes: fieldFromBytes(caps.maxPackageBytes) };
}

/** The API's issues for one field, and the failure without them (shown once, above the buttons). */
function splitIssues(failure: ApiFailure | null): { byField: Partial<Record<CapKey, string[]>>; rest: ApiFailure | null } {
  if (!failure) return { byField: {}, rest: null };
  const byField: Partial<Record<CapKey, string[]>> = {};
  const others = failure.issues.filter((issue) => {
    const key = CAP_FIELDS.find((field) => field.key === issue.path)?.key;
    if (key) (byField[key] ??= []).push(issue.message);
    return !key;
  });
  return { byField, rest: { ...failure, issues: others } };
}

export function SizeCapsForm({ caps, onSaved }: { caps: SizeCaps; onSaved(caps: SizeCaps): void }) {
  const { client } = useSession();
  const id = useId();
  const [fields, setFields] = useState<Fields>(() => fieldsOf(caps));
  const [local, setLocal] = useState<Partial<Record<CapKey, string>>>({});
  const saving = useAction((next: SizeCaps) => client.sizeCaps.set(next));
  const { byField, rest } = splitIssues(saving.error);

  function edit(key: CapKey, change: Partial<SizeField>) {
    setFields((previous) => ({ ...previous, [key]: { ...previous[key], ...change } }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    saving.clearError();
    const next: Partial<SizeCaps> = {};
    const problems: Partial<Record<CapKey, string>> = {};
    for (const { key } of CAP_FIELDS) {
      const parsed = bytesFromField(fields[key]);
      if (parsed.ok) next[key] = parsed.bytes;
      else problems[key] = parsed.message;
    }
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    const saved = await saving.run(next as SizeCaps);
    if (saved) onSaved(saved);
  }

  return (
    <form className="settings-form size-caps-form" onSubmit={(event) => void submit(event)} noValidate>
      {CAP_FIELDS.map(({ key, label, hint }) => {
        const errors = [...(local[key] ? [local[key]] : []), ...(byField[key] ?? [])];
        const errorId = `${id}-${key}-error`;
        return (
          <div key={key} className="size-field">
            <label htmlFor={`${id}-${key}`}>{label}</label>
            <div className="size-inputs">
              <input
                id={`${id}-${key}`}
                inputMode="decimal"
                value={fields[key].amount}
                aria-invalid={errors.length > 0 || undefined}
                aria-describedby={`${id}-${key}-hint${errors.length > 0 ? ` ${errorId}` : ''}`}
                onChange={(event) => edit(key, { amount: event.target.value })}
              />
              <select aria-label={`${label} unit`} value={fields[key].unit} onChange={(event) => edit(key, { unit: event.target.value as SizeUnit })}>
                {SIZE_UNITS.map((unit) => (
                  <option key={unit}>{unit}</option>
                ))}
              </select>
            </div>
            <small id={`${id}-${key}-hint`} className="muted">
              {hint}
            </small>
            {errors.length > 0 && (
              <p className="field-error" id={errorId} role="alert">
                {errors.join('; ')}
              </p>
            )}
          </div>
        );
      })}
      <div className="form-actions">
        <button type="submit" disabled={saving.pending}>
          Save size caps
        </button>
      </div>
      {rest && <ErrorText failure={rest} />}
    </form>
  );
}
