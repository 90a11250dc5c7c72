// "Package name": a text field that suggests registry packages as you type (ARIA 1.2 combobox with
// a listbox popup). The focus stays in the field; the highlighted option is announced through
// aria-activedescendant. Enter takes the highlighted option, or the text as typed.
import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import type { RegistrySearchResult } from '@spk/common';
import { describeApiError, type ApiFailure } from '../api/errors.ts';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { createLatestQuery } from './latest-query.ts';

type Suggestion = RegistrySearchResult['results'][number];

const SEARCH_DELAY_MS = 200;
const SEARCH_SIZE = 10;

export interface PackageComboboxProps {
  text: string;
  onTextChange(text: string): void;
  /** A name was chosen (from the list, or typed and confirmed with Enter). */
  onChoose(name: string): void;
  /** Ids of elements describing the field (its errors). */
  describedBy?: string | undefined;
  invalid?: boolean;
}

export function PackageCombobox({ text, onTextChange, onChoose, describedBy, invalid = false }: PackageComboboxProps) {
  const { client } = useSession();
  const id = useId();
  const listId = `${id}-list`;
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [searching, setSearching] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | null>(null);

  const query = useMemo(
    () =>
      createLatestQuery((t, signal) => client.registry.search({ text: t, size: SEARCH_SIZE }, { signal }), SEARCH_DELAY_MS, {
        onResult: (_t, answer) => {
          setSearching(false);
          setFailure(null);
          setSuggestions(answer.results);
          setActive(-1);
        },
        onError: (_t, error) => {
          setSearching(false);
          setFailure(describeApiError(error));
          setSuggestions([]);
        },
      }),
    [client],
  );
  useEffect(() => () => query.cancel(), [query]);

  function type(value: string): void {
    onTextChange(value);
    setOpen(value.trim() !== '');
    setFailure(null);
    // "Searching" from the first keystroke: the debounce wait is part of the search to the user.
    setSearching(value.trim() !== '');
    if (value.trim() === '') setSuggestions([]);
    query.update(value);
  }

  function choose(name: string): void {
    query.cancel();
    setSearching(false);
    setOpen(false);
    setActive(-1);
    // The list answered another text; it must not reappear for the next one.
    setSuggestions([]);
    onTextChange(name);
    onChoose(name);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>): void {
    const count = suggestions.length;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!open) setOpen(true);
      if (count === 0) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current) => (current === -1 && step === -1 ? count - 1 : (current + step + count) % count));
    } else if (event.key === 'Enter') {
      // Enter in the field chooses; it never submits the form half-filled.
      event.preventDefault();
      const picked = open && active >= 0 ? suggestions[active] : undefined;
      if (picked) choose(picked.name);
      else if (text.trim() !== '') choose(text.trim());
    } else if (event.key === 'Escape') {
      if (open) event.preventDefault();
      setOpen(false);
      setActive(-1);
    }
  }

  const expanded = open && suggestions.length > 0;
  const activeId = expanded && active >= 0 ? `${id}-option-${active}` : undefined;
  // The list scrolls; the highlighted option must stay in sight while the arrows move it.
  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: 'nearest' });
  }, [activeId]);
  let status = '';
  if (open && searching) status = 'Searching the registry…';
  else if (open && failure === null && suggestions.length === 0 && text.trim() !== '') status = 'No suggestions; press Enter to use the name as typed.';
  return (
    <div className="combobox">
      <label htmlFor={`${id}-input`}>Package name</label>
      <input
        id={`${id}-input`}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={activeId}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        autoComplete="off"
        spellCheck={false}
        value={text}
        onChange={(e) => type(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <ul id={listId} role="listbox" aria-label="Matching packages" className="combobox-list" hidden={!expanded}>
        {suggestions.map((s, i) => (
          <li
            key={s.name}
            id={`${id}-option-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : undefined}
            // mousedown, not click: the field's blur would close the list before a click lands.
            onMouseDown={(e) => {
              e.preventDefault();
              choose(s.name);
            }}
          >
            <span className="option-name">{s.name}</span> <span className="option-version">{s.version}</span>
            {s.deprecated !== null && <span className="option-deprecated"> (deprecated)</span>}
            {s.description && <span className="option-description"> — {s.description}</span>}
          </li>
        ))}
      </ul>
      <p className="combobox-status" aria-live="polite">
        {status}
      </p>
      {open && <ErrorText failure={failure} />}
    </div>
  );
}
