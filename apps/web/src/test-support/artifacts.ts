// Screenshots of the console for a person to look at after the browser test: written under the
// repository's .tmp/ (ignored by git), emptied at the start of each run so nothing stale remains.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '@spk/tools';

export const ARTIFACTS_DIR = path.join(REPO_ROOT, '.tmp/artifacts/web-console');

export async function resetArtifacts(dir: string = ARTIFACTS_DIR): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/** A full-page screenshot named `<name>.png` in the artifacts dir. */
export async function screenshot(page: Page, name: string, dir: string = ARTIFACTS_DIR): Promise<string> {
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
