// The console end to end, in the system Chromium against a real server (PGlite) and the seeded
// registry: sign in, add a package through the autocomplete, install it and watch the progress, see
// the host converge live, get completions and errors in the editor and run a script, then sign in
// read-only and find nothing that changes state. Screenshots go to .tmp/artifacts/web-console/.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ARTIFACTS_DIR, resetArtifacts, screenshot } from './test-support/artifacts.ts';
import { launchChromium } from './test-support/chromium.ts';
import { installThroughApi, startConsoleServer, type ConsoleServer } from './test-support/console-server.ts';
import { openSection, overflowsHorizontally, rowStartingWith, tableRows } from './test-support/console-page.ts';
import { readRecording, startRecording, type Recorded } from './test-support/dom-recorder.ts';
import { errorSquiggles, nextProblem, replaceScript, scriptText, waitForProblem, waitForSuggestion } from './test-support/monaco.ts';
import { collectPageProblems, type PageProblems } from './test-support/page-problems.ts';
import { createStepFlow } from './test-support/steps.ts';
import { waitUntil } from './test-support/wait-until.ts';

const PACKAGE = 'spk-fixture-typed';
const SECOND_PACKAGE = 'spk-fixture-leaf';
const VIEWER = 'console-viewer';
/** An install plus convergence on a busy two-core machine. */
const INSTALL_TIMEOUT_MS = 180_000;
const STEP_TIMEOUT_MS = 60_000;
/** Includes building the console when its sources changed (Vite bundling Monaco takes a while). */
const SETUP_TIMEOUT_MS = 300_000;
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 400, height: 800 };

const STEPS = {
  signIn: 'signs in with the admin token and shows who is signed in',
  add: `adds ${PACKAGE} through the autocomplete and lists it under "Declared packages"`,
  install: 'installs from "Install now", showing progress before "Done"',
  hosts: "shows the core host converge on the Hosts page, live, without a reload",
  settings: 'shows the settings sections, imports an .npmrc showing its secret only masked, and runs GC',
  completion: `offers ${PACKAGE}'s exports as completions in the editor`,
  squiggle: 'marks a wrong call with the type error',
  run: 'runs the fixed script and shows its result',
  readOnly: 'signed in read-only, offers nothing that changes state',
};

describe('the web console in Chromium against a real server', () => {
  let backend: ConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  let installedHash = '';
  const flow = createStepFlow();
  const status = () => page.getByRole('status', { name: 'Install status' });

  beforeAll(async () => {
    const dir = await resetArtifacts();
    console.log(`web console screenshots: ${dir}`);
    backend = await startConsoleServer(inject('registryUrl'));
    browser = await launchChromium();
    context = await browser.newContext({ viewport: WIDE });
    page = await context.newPage();
    problems = collectPageProblems(page, backend.server.url);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    const code = await backend?.stop();
    if (code !== 0 && code !== null && code !== undefined) console.log(`server exited with ${code}:\n${backend.server.output()}`);
  });

  flow.step(STEPS.signIn, [], async () => {
    await page.goto(`${backend.server.url}/`);
    await page.getByLabel('API token').waitFor({ timeout: 15_000 });
    await screenshot(page, '01-sign-in');
    await page.getByLabel('API token').fill(backend.server.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').first().waitFor({ timeout: 15_000 });
    const { name } = await backend.admin.tokens.whoami();
    expect(await page.getByText('Signed in as').first().textContent()).toContain(name);
  });

  flow.step(STEPS.add, [STEPS.signIn], async () => {
    await openSection(page, 'Packages', 'Packages');
    const name = page.getByRole('combobox', { name: 'Package name' });
    await name.click();
    await name.pressSequentially('spk-fixture-ty', { delay: 40 });
    const option = page.getByRole('option', { name: new RegExp(`^${PACKAGE}(?![\\w-])`) });
    await option.first().waitFor({ timeout: 20_000 });
    await option.first().click();
    const version = page.getByLabel('Version');
    const value = await waitUntil('a 1.0.0 choice in "Version"', async () => {
      const options = await version.locator('option').evaluateAll((els) => els.map((el) => ({ value: (el as HTMLOptionElement).value, label: el.textContent ?? '' })));
      return options.find((o) => o.value === '1.0.0' || o.label.startsWith('1.0.0'))?.value;
    }, { timeoutMs: 20_000, describe: () => version.innerHTML() });
    await version.selectOption(value);
    await page.getByRole('button', { name: 'Add package' }).click();
    const table = page.getByRole('table', { name: 'Declared packages' });
    await waitUntil(`${PACKAGE} in "Declared packages"`, async () => rowStartingWith(await tableRows(table), PACKAGE), {
      timeoutMs: 20_000,
      describe: async () => JSON.stringify(await tableRows(table).catch(() => 'no table')),
    });
    expect((await backend.admin.packages.list()).packages.map((p) => p.name)).toContain(PACKAGE);
    await screenshot(page, '02-packages');
    await page.setViewportSize(NARROW);
    try {
      await screenshot(page, '03-packages-narrow');
      expect(await overflowsHorizontally(page), 'at 400 px only tables may scroll sideways, inside their wrapper').toMatchObject({ overflows: false });
    } finally {
      await page.setViewportSize(WIDE);
    }
  });

  flow.step(
    STEPS.install,
    [STEPS.add],
    async () => {
      await openSection(page, 'Install', 'Install');
      await status().waitFor({ timeout: 15_000 });
      await startRecording(page, 'install', [
        { role: 'progressbar', name: 'Install progress' },
        { role: 'status', name: 'Install status' },
      ]);
      await page.getByRole('button', { name: 'Install now' }).click();
      const finalText = await waitUntil(
        '"Install status" to say "Done"',
        async () => {
          const text = (await status().textContent()) ?? '';
          if (text.includes('Failed')) throw new Error(`the install failed: ${text}`);
          return text.includes('Done') ? text : undefined;
        },
        { timeoutMs: INSTALL_TIMEOUT_MS - 20_000, intervalMs: 250, describe: async () => `${await status().textContent()}; server:\n${backend.server.output()}` },
      );
      const records = (await readRecording(page, 'install')) ?? [];
      const first = records[0]?.targets[1]?.text;
      const intermediate = records.filter(({ targets: [bar, text] }) => bar?.present || (text?.text !== first && !text?.text.includes('Done')));
      console.log(`install states seen:\n${records.map(describeInstallRecord).join('\n')}`);
      expect(intermediate.length, `no progress shown between "Install now" and "${finalText}"; seen: ${JSON.stringify(records)}`).toBeGreaterThan(0);
      const state = await backend.admin.install.state();
      expect(state.error).toBeNull();
      installedHash = state.lockfileHash ?? '';
      expect(installedHash).toMatch(/^[a-f0-9]{64}$/);
      const history = page.getByRole('table', { name: 'Install history' });
      await waitUntil('the new install in "Install history"', async () => ((await history.textContent())?.includes(installedHash.slice(0, 12)) ? true : undefined), {
        timeoutMs: 15_000,
        describe: () => history.textContent().then(String),
      });
      await screenshot(page, '04-install-done');
    },
    INSTALL_TIMEOUT_MS,
  );

  flow.step(
    STEPS.hosts,
    [STEPS.install],
    async () => {
      const { host } = await backend.admin.packages.list();
      await page.evaluate(() => ((window as { __spkMarker?: string }).__spkMarker = 'not reloaded'));
      await openSection(page, 'Hosts', 'Hosts');
      const table = page.getByRole('table', { name: 'Hosts' });
      await startRecording(page, 'hosts', [{ role: 'table', name: 'Hosts' }]);
      const convergedOn = (hash: string) => async () => {
        const row = rowStartingWith(await tableRows(table), host.hostId);
        return row && row.includes('converged') && row.join(' ').includes(hash.slice(0, 12)) ? row : undefined;
      };
      const describeRows = async () => JSON.stringify(await tableRows(table).catch(() => 'no table'));
      await waitUntil(`core host ${host.hostId} "converged" on ${installedHash.slice(0, 12)}`, convergedOn(installedHash), { timeoutMs: 60_000, describe: describeRows });
      await screenshot(page, '05-hosts');

      // A second install behind the page's back: the row must follow it by itself.
      await backend.admin.packages.add({ name: SECOND_PACKAGE, range: '1.0.0' });
      const next = await installThroughApi(backend.admin, installedHash, INSTALL_TIMEOUT_MS - 60_000);
      await waitUntil(`core host "converged" on the new tree ${next.slice(0, 12)} without a reload`, convergedOn(next), { timeoutMs: 60_000, describe: describeRows });
      installedHash = next;
      expect(await page.evaluate(() => (window as { __spkMarker?: string }).__spkMarker), 'the page was reloaded').toBe('not reloaded');
      const records = (await readRecording(page, 'hosts')) ?? [];
      console.log(`host rows seen:\n${records.map((r) => `${r.at} ms: ${r.targets[0]?.rows.slice(1).join(' / ')}`).join('\n')}`);
    },
    INSTALL_TIMEOUT_MS,
  );

  flow.step(STEPS.settings, [STEPS.signIn], async () => {
    await openSection(page, 'Settings', 'Settings');
    for (const heading of ['Registries', 'Size caps', 'Storage', 'Garbage collection']) await page.getByRole('heading', { name: heading }).first().waitFor({ timeout: 15_000 });
    // An .npmrc keeps the fixture registry as the default and adds a credential for an unused scope's
    // registry: the page shows it only masked, and the pasted secret leaves the page.
    const secret = 'web-console-secret-7f3a';
    const npmrc = page.getByLabel('.npmrc contents');
    await npmrc.fill(`registry=${inject('registryUrl')}\n@spk-web:registry=http://127.0.0.1:9/\n//127.0.0.1:9/:_authToken=${secret}\n`);
    await page.getByRole('button', { name: 'Import .npmrc' }).click();
    const credentials = page.getByRole('table', { name: 'Registry credentials' });
    await waitUntil('the imported credential in "Registry credentials"', async () => ((await credentials.textContent())?.includes('set, ends in') ? true : undefined), {
      timeoutMs: 15_000,
      describe: async () => `credentials: ${await credentials.textContent().catch(() => '(no table)')}`,
    });
    expect(await npmrc.inputValue()).toBe('');
    expect(await page.content()).not.toContain(secret);
    expect((await backend.admin.registry.get()).scopes).toHaveProperty('@spk-web');
    // GC runs on the real server and its result shows.
    await page.getByRole('button', { name: 'Run GC now' }).click();
    const gcResult = page.getByLabel('GC result');
    await waitUntil('a GC result', async () => ((await gcResult.textContent())?.trim() ? true : undefined), { timeoutMs: 30_000, describe: () => gcResult.textContent().then(String) });
    expect((await backend.admin.gc.state()).runs.length).toBeGreaterThan(0);
    await screenshot(page, '06-settings');
  });

  flow.step(
    STEPS.completion,
    [STEPS.install],
    async () => {
      await openSection(page, 'Script editor', /editor/i);
      await page.locator('.monaco-editor textarea').first().waitFor({ timeout: 30_000 });
      const script = `import { g } from '${PACKAGE}';\n`;
      await replaceScript(page, script);
      expect(await scriptText(page)).toContain(script.trim());
      await waitForSuggestion(page, 'import { g'.length + 1, 'greet', 60_000);
      await page.keyboard.press('Escape');
    },
    STEP_TIMEOUT_MS + 30_000,
  );

  flow.step(STEPS.squiggle, [STEPS.completion], async () => {
    await replaceScript(page, `import { greet } from '${PACKAGE}';\nexport default greet(42);\n`);
    await waitForProblem(page, "Argument of type 'number' is not assignable to parameter of type 'string'", 30_000);
    await screenshot(page, '07-editor-squiggle');
    await page.keyboard.press('Escape');
  });

  flow.step(STEPS.run, [STEPS.squiggle], async () => {
    await replaceScript(page, `import { greet } from '${PACKAGE}';\nexport default greet('web');\n`);
    // No squiggle left: the import resolves (types loaded) and the call type-checks.
    await waitUntil('no error squiggle once the call is fixed', async () => ((await errorSquiggles(page)) === 0 ? true : undefined), {
      timeoutMs: 20_000,
      describe: async () => `F8 shows: ${await nextProblem(page)}`,
    });
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const result = page.getByRole('region', { name: 'Run result' });
    await waitUntil('the script\'s result in "Run result"', async () => ((await result.textContent())?.includes(`"greetings web from ${PACKAGE}@1.0.0"`) ? true : undefined), {
      timeoutMs: 60_000,
      describe: () => result.textContent().then(String),
    });
    await screenshot(page, '08-editor-result');
  }, STEP_TIMEOUT_MS + 30_000);

  flow.step(STEPS.readOnly, [STEPS.add], async () => {
    const { token } = await backend.admin.tokens.create({ name: VIEWER, readOnly: true });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').first().waitFor({ timeout: 15_000 });
    expect(await page.getByText('Signed in as').first().textContent()).toContain(VIEWER);
    await openSection(page, 'Packages', 'Packages');
    const table = page.getByRole('table', { name: 'Declared packages' });
    await waitUntil(`${PACKAGE} listed for the read-only token`, async () => rowStartingWith(await tableRows(table), PACKAGE), { timeoutMs: 20_000 });
    await page.getByText('This token is read-only').first().waitFor({ timeout: 10_000 });
    expect(await page.getByRole('button', { name: 'Add package' }).count()).toBe(0);
    expect(await page.getByRole('combobox', { name: 'Package name' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: `Remove ${PACKAGE}` }).count()).toBe(0);
    await screenshot(page, '09-read-only-packages');
    await openSection(page, 'Install', 'Install');
    await status().waitFor({ timeout: 15_000 });
    expect(await page.getByRole('button', { name: 'Install now' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Roll back to / }).count()).toBe(0);
    await openSection(page, 'Script editor', /editor/i);
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isDisabled(), 'running a script needs manage').toBe(true);
  });

  it('logged no console error, page error or failed same-origin request along the way', () => {
    expect(problems.list, `the page reported problems:\n${problems.report()}\n(screenshots in ${ARTIFACTS_DIR})`).toEqual([]);
  });
});

function describeInstallRecord({ at, targets: [bar, text] }: Recorded): string {
  const progress = bar?.present ? `progress ${bar.valueNow ?? '?'} ${bar.valueText ?? ''}`.trim() : 'no progress bar';
  return `${at} ms: ${progress}; status: ${text?.text ?? '(none)'}`;
}
