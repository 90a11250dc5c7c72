// Driving the console's Monaco editor from the browser test through its own UI: keyboard into its
// textarea, completions from its suggest widget, problems from its squiggles and marker widget (F8).
import type { Page } from 'playwright-core';
import { waitUntil } from './wait-until.ts';

const EDITOR = '.monaco-editor';

/** Replaces the whole script. insertText types no single keys, so no auto-closing pair or accepted suggestion gets in. */
export async function replaceScript(page: Page, text: string): Promise<void> {
  await page.locator(`${EDITOR} .view-lines`).first().click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  await page.keyboard.press('Escape');
}

/** The script as the editor shows it, line by line in screen order. */
export async function scriptText(page: Page): Promise<string> {
  return page.locator(`${EDITOR} .view-lines`).first().evaluate((el) =>
    [...el.querySelectorAll<HTMLElement>('.view-line')]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((line) => (line.textContent ?? '').replace(/\u00a0/g, ' '))
      .join('\n'),
  );
}

/** Puts the caret at `column` (1-based) of the first line. */
export async function caretOnFirstLine(page: Page, column: number): Promise<void> {
  await page.keyboard.press('ControlOrMeta+Home');
  for (let i = 1; i < column; i++) await page.keyboard.press('ArrowRight');
}

/** Opens the suggest widget (Ctrl+Space) and returns its rows' labels; [] when it shows none. */
export async function suggestions(page: Page): Promise<string[]> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+Space');
  const widget = page.locator(`${EDITOR} .suggest-widget.visible`);
  try {
    await widget.waitFor({ timeout: 3_000 });
  } catch {
    return [];
  }
  // The rows render a moment after the widget ("Loading...").
  await page.waitForTimeout(300);
  return widget.locator('.monaco-list-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? row.textContent ?? ''));
}

export async function errorSquiggles(page: Page): Promise<number> {
  return page.locator(`${EDITOR} .squiggly-error`).count();
}

/** Goes to the next problem (F8) and returns the marker widget's text; '' when there is none. */
export async function nextProblem(page: Page): Promise<string> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F8');
  const widget = page.locator(`${EDITOR} .marker-widget`);
  try {
    await widget.waitFor({ timeout: 2_000 });
  } catch {
    return '';
  }
  return ((await widget.textContent()) ?? '').replace(/\u00a0/g, ' ');
}

/**
 * Asks for completions at `column` of the first line until one starts with `label`; types arrive
 * asynchronously, so the first answers may lack the package's exports.
 */
export async function waitForSuggestion(page: Page, column: number, label: string, timeoutMs: number): Promise<string[]> {
  const starts = new RegExp(`^${label}\\b`);
  return waitUntil(`\`${label}\` among the completions at column ${column}`, async () => {
    await caretOnFirstLine(page, column);
    const labels = await suggestions(page);
    return labels.some((l) => starts.test(l)) ? labels : undefined;
  }, { timeoutMs, intervalMs: 500, describe: async () => JSON.stringify(await suggestions(page)) });
}

/** Waits for an error squiggle whose problem (as F8 shows it) contains `message`; leaves the marker widget open. */
export async function waitForProblem(page: Page, message: string, timeoutMs: number): Promise<void> {
  await waitUntil(`an error squiggle and "${message}" (F8)`, async () => ((await errorSquiggles(page)) > 0 && (await nextProblem(page)).includes(message) ? true : undefined), {
    timeoutMs,
    intervalMs: 500,
    describe: async () => `${await errorSquiggles(page)} squiggles; F8 shows: ${await nextProblem(page)}`,
  });
}
