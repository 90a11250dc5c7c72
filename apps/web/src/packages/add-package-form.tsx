// The add form: pick a package (registry search), pick a version or range, declare it. Errors come
// back in the API's words, each part next to the field it concerns; warnings of an accepted add
// (the registry could not check it) stay visible after the form clears.
import { useId, useState, type FormEvent } from 'react';
import type { AddPackageInput, DeclaredPackageResult } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { useAction } from '../ui/hooks.ts';
import { splitFailure } from './field-issues.ts';
import { FieldIssues } from './field-issues-view.tsx';
import { PackageCombobox } from './package-combobox.tsx';
import { rangeOf, VersionPicker, type VersionChoice } from './version-picker.tsx';

const FIELDS = ['name', 'range'] as const;
/** Refusals without issues that are about one field. */
const FIELD_OF_CODE = { PACKAGE_NOT_FOUND: 'name', PACKAGE_NAME_CONFLICT: 'name', ALREADY_EXISTS: 'name', INVALID_SPEC: 'range', NO_MATCHING_VERSION: 'range' } as const;
const NO_VERSION: VersionChoice = { choice: '', custom: '' };

export function AddPackageForm({ onAdded }: { onAdded(result: DeclaredPackageResult): void }) {
  const { client } = useSession();
  const id = useId();
  const [text, setText] = useState('');
  const [chosen, setChosen] = useState<string | null>(null);
  const [version, setVersion] = useState<VersionChoice>(NO_VERSION);
  const [warnings, setWarnings] = useState<{ name: string; warnings: string[] } | null>(null);
  const add = useAction((input: AddPackageInput) => client.packages.add(input));
  const { byField, rest } = splitFailure(add.error, FIELDS, FIELD_OF_CODE);
  const code = add.error?.code ?? '';

  function changeText(value: string): void {
    setText(value);
    add.clearError();
    if (value !== chosen) {
      setChosen(null);
      setVersion(NO_VERSION);
    }
  }

  function choose(name: string): void {
    add.clearError();
    if (name !== chosen) setVersion(NO_VERSION);
    setChosen(name);
  }

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const name = chosen ?? text.trim();
    const range = chosen ? rangeOf(version) : '';
    // No range chosen (the name was typed, not picked): the API's default, "latest", applies.
    const result = await add.run(range === '' && version.choice === '' ? { name } : { name, range });
    if (!result) return;
    setWarnings(result.warnings?.length ? { name: result.name, warnings: result.warnings } : null);
    setText('');
    setChosen(null);
    setVersion(NO_VERSION);
    onAdded(result);
  }

  const nameErrorId = `${id}-name-error`;
  return (
    <form className="add-package" aria-label="Add a package" onSubmit={(e) => void submit(e)}>
      <h2>Add a package</h2>
      <div className="add-package-fields">
        <div className="field name-field">
          <PackageCombobox
            text={text}
            onTextChange={changeText}
            onChoose={choose}
            describedBy={byField.name ? nameErrorId : undefined}
            invalid={byField.name !== undefined}
          />
          <FieldIssues id={nameErrorId} code={code} issues={byField.name} />
        </div>
        <VersionPicker name={chosen} value={version} onChange={setVersion} issues={byField.range} issueCode={code} />
        <div className="field submit-field">
          <button type="submit" disabled={add.pending}>
            {add.pending ? 'Adding…' : 'Add package'}
          </button>
        </div>
      </div>
      <ErrorText failure={rest} />
      {warnings && (
        <div className="warnings" role="status">
          <p>
            Added {warnings.name} with {warnings.warnings.length === 1 ? 'a warning' : 'warnings'}:
          </p>
          <ul>
            {warnings.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}
