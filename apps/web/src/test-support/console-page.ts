// Moving around the console and reading it as a person does: by role and accessible name, with the
// names the sections promise (see the "names the browser test relies on").
import type { Locator, Page } from 'playwright-core';

export async function openSection(page: Page, label: 'Packages' | 'Install' | 'Hosts' | 'Settings' | 'Script editor', heading: string | RegExp): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: label, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 15_000 });
}

/** Each body row of a table as its cells' trimmed texts (header rows have no td and are left out). */
export async function tableRows(table: Locator): Promise<string[][]> {
  return table.evaluate((el) =>
    [...el.querySelectorAll('tr')].filter((tr) => tr.querySelector('td')).map((tr) => [...tr.children].map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim())),
  );
}

/** The row whose first cell starts with `first` as a whole word (a badge may follow the name). */
export function rowStartingWith(rows: string[][], first: string): string[] | undefined {
  return rows.find((cells) => cells[0] === first || (cells[0]?.startsWith(first) === true && /^[^\w@/-]/.test(cells[0].slice(first.length))));
}

/** Whether the page scrolls sideways: on a narrow window only wide tables may, inside their wrapper. */
export async function overflowsHorizontally(page: Page): Promise<{ overflows: boolean; scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => {
    const scrollWidth = document.documentElement.scrollWidth;
    return { overflows: scrollWidth > window.innerWidth, scrollWidth, innerWidth: window.innerWidth };
  });
}
