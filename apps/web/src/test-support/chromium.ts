// Launches the system's Chromium (Debian's /usr/bin/chromium) for the console's browser test:
// playwright-core never downloads a browser here, so a missing one is a setup error, not a skip.
import { access, constants } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export async function launchChromium(executablePath: string = CHROMIUM_PATH): Promise<Browser> {
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    throw new Error(
      `No Chromium at ${executablePath}: the console's browser test drives the system Chromium and never downloads one. Install it (Debian/Ubuntu: \`apt-get install chromium\`) and run the test again.`,
    );
  }
  return chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}
