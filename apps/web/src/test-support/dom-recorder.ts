// Records what some elements of the page showed over time, from a MutationObserver inside the page:
// states too brief for polling from the test (an install's progress) are still seen, and a reload
// would wipe the record, which the test can tell apart from "nothing changed".
import type { Page } from 'playwright-core';

/** An element found by role and accessible name, as a person (or screen reader) would. */
export interface Target {
  role: 'progressbar' | 'status' | 'table';
  name: string;
}

export interface TargetSnapshot {
  present: boolean;
  valueNow: string | null;
  valueText: string | null;
  text: string;
  /** Tables only: each row's cells joined by " | ". */
  rows: string[];
}

/** One record: the targets' snapshots, in the order given, and when (ms since the recorder started). */
export interface Recorded {
  at: number;
  targets: TargetSnapshot[];
}

interface RecorderWindow {
  __spkRecordings?: Record<string, Recorded[]>;
}

/** Starts recording under `key` (replacing an earlier record of that key); the first record is the state now. */
export async function startRecording(page: Page, key: string, targets: Target[]): Promise<void> {
  await page.evaluate(
    ({ key, targets }) => {
      const implicit: Record<string, string> = { progressbar: 'progress', status: 'output', table: 'table' };
      const nameOf = (el: Element): string => {
        const label = el.getAttribute('aria-label');
        if (label) return label.trim();
        const ids = el.getAttribute('aria-labelledby');
        if (ids) return ids.split(/\s+/).map((id) => document.getElementById(id)?.textContent?.trim() ?? '').join(' ');
        const caption = el.querySelector(':scope > caption');
        if (caption) return caption.textContent?.trim() ?? '';
        const id = el.getAttribute('id');
        const forLabel = id ? document.querySelector(`label[for="${CSS.escape(id)}"]`) : null;
        return forLabel?.textContent?.trim() ?? '';
      };
      const find = (target: { role: string; name: string }): Element | undefined =>
        [...document.querySelectorAll(`[role="${target.role}"], ${implicit[target.role]}:not([role])`)].find((el) => nameOf(el) === target.name);
      const snapshot = (target: { role: string; name: string }) => {
        const el = find(target);
        if (!el) return { present: false, valueNow: null, valueText: null, text: '', rows: [] };
        const valueNow = el.getAttribute('aria-valuenow') ?? (el instanceof HTMLProgressElement && el.hasAttribute('value') ? String(el.value) : null);
        const rows = [...el.querySelectorAll('tr')].map((tr) => [...tr.children].map((cell) => cell.textContent?.trim() ?? '').join(' | '));
        return { present: true, valueNow, valueText: el.getAttribute('aria-valuetext'), text: el.textContent?.trim() ?? '', rows };
      };
      const w = window as RecorderWindow;
      const records: Recorded[] = [];
      (w.__spkRecordings ??= {})[key] = records;
      const started = performance.now();
      let last = '';
      const record = () => {
        const snapshots = targets.map(snapshot);
        const serialized = JSON.stringify(snapshots);
        if (serialized === last) return;
        last = serialized;
        records.push({ at: Math.round(performance.now() - started), targets: snapshots });
      };
      record();
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    },
    { key, targets },
  );
}

/** What was recorded under `key`; null when the record is gone (the page was reloaded or left). */
export async function readRecording(page: Page, key: string): Promise<Recorded[] | null> {
  return page.evaluate((key) => (window as RecorderWindow).__spkRecordings?.[key] ?? null, key);
}
