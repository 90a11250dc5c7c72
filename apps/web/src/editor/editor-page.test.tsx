import { emptyInstallState, type InstallState, type RunResult, type RunScriptInput } from '@spk/common';
import { ORPCError } from '@orpc/client';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionContext } from '../session/session.tsx';
import { ADMIN, fedStream, standInSession, VIEWER } from '../session/stand-in-session.ts';
import { EditorPage } from './editor-page.tsx';
import { RunResultPanel } from './run-result-panel.tsx';
import { SCRIPT_STORAGE_KEY } from './script-storage.ts';
import { TextareaEditor } from './textarea-editor.tsx';

const HASH = 'abcdef012345'.padEnd(64, '7');

function runResult(patch: Partial<RunResult> = {}): RunResult {
  return {
    runId: 'run-1',
    lockfileHash: HASH,
    ok: true,
    hasResult: true,
    result: { hello: 'greetings x' },
    stdout: 'out line\n',
    stderr: '',
    durationMs: 1234,
    error: null,
    ...patch,
  };
}

afterEach(cleanup);
beforeEach(() => localStorage.clear());

describe('RunResultPanel', () => {
  it('shows a successful run: ok, the value as pretty JSON, output, duration and tree', () => {
    render(<RunResultPanel run={runResult()} pending={false} failure={null} />);
    const region = screen.getByRole('region', { name: 'Run result' });
    expect(within(region).getByRole('status').textContent).toBe('ok');
    expect(region.textContent).toContain('{\n  "hello": "greetings x"\n}');
    expect(region.textContent).toContain('out line');
    expect(region.textContent).toContain('1.23 s');
    expect(within(region).getByTitle(HASH).textContent).toBe('abcdef012345');
    expect(within(region).queryByRole('alert')).toBeNull();
  });

  it('shows a failed run with its error code and message, and "no result" when nothing was exported', () => {
    const error = { code: 'RUN_FAILED' as const, message: 'the script threw: TypeError: x is not a function' };
    render(<RunResultPanel run={runResult({ ok: false, hasResult: false, result: null, stderr: 'trace', error })} pending={false} failure={null} />);
    const region = screen.getByRole('region', { name: 'Run result' });
    expect(within(region).getByRole('status').textContent).toBe('failed');
    expect(within(region).getByRole('alert').textContent).toContain('the script threw: TypeError: x is not a function');
    expect(within(region).getByRole('alert').textContent).toContain('RUN_FAILED');
    expect(region.textContent).toContain('no result');
    expect(region.textContent).toContain('trace');
  });

  it('shows a refused call with the server message verbatim', () => {
    render(<RunResultPanel run={null} pending={false} failure={{ code: 'TOO_MANY_RUNS', message: '4 runs at once already; wait or raise SPK_RUN_MAX_CONCURRENT', issues: [] }} />);
    const alert = within(screen.getByRole('region', { name: 'Run result' })).getByRole('alert');
    expect(alert.textContent).toContain('4 runs at once already; wait or raise SPK_RUN_MAX_CONCURRENT');
  });
});

function renderPage(principal = ADMIN, execute: (input: RunScriptInput) => Promise<RunResult> = async () => runResult()) {
  const install = fedStream<InstallState>();
  install.push({ ...emptyInstallState(), lockfileHash: HASH });
  const calls: RunScriptInput[] = [];
  const session = standInSession(
    {
      install: { watch: (_input: undefined, options?: { signal?: AbortSignal }) => install.open(options?.signal) },
      runs: {
        execute: (input: RunScriptInput) => {
          calls.push(input);
          return execute(input);
        },
      },
    },
    principal,
  );
  render(
    <SessionContext.Provider value={session}>
      <EditorPage editor={TextareaEditor} />
    </SessionContext.Provider>,
  );
  return { calls };
}

describe('EditorPage', () => {
  it('disables Run for a read-only token and says why, while the script stays editable', async () => {
    renderPage(VIEWER);
    const run = screen.getByRole('button', { name: 'Run' });
    expect(run).toHaveProperty('disabled', true);
    expect(screen.getByText(/This token is read-only: running a script needs the manage permission/)).toBeTruthy();
    expect(run.getAttribute('aria-describedby')).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Script'), '// more');
    expect(localStorage.getItem(SCRIPT_STORAGE_KEY)).toContain('// more');
  });

  it('runs the restored script with Ctrl+Enter, with the chosen file name and timeout, and shows the result', async () => {
    localStorage.setItem(SCRIPT_STORAGE_KEY, 'export default 1;');
    const { calls } = renderPage();
    const script = screen.getByLabelText('Script');
    expect((script as HTMLTextAreaElement).value).toBe('export default 1;');
    await userEvent.selectOptions(screen.getByLabelText('File name'), 'script.cjs');
    await userEvent.clear(screen.getByLabelText('Timeout (s)'));
    await userEvent.type(screen.getByLabelText('Timeout (s)'), '5');
    await userEvent.click(script);
    await userEvent.keyboard('{Control>}{Enter}{/Control}');
    const region = screen.getByRole('region', { name: 'Run result' });
    await waitFor(() => expect(within(region).getByRole('status').textContent).toBe('ok'));
    expect(calls).toEqual([{ filename: 'script.cjs', source: 'export default 1;', timeoutMs: 5000 }]);
    expect((script as HTMLTextAreaElement).value).toBe('export default 1;');
  });

  it('explains a bad timeout and keeps Run off until it is fixed', async () => {
    renderPage();
    await userEvent.clear(screen.getByLabelText('Timeout (s)'));
    await userEvent.type(screen.getByLabelText('Timeout (s)'), '900');
    expect(screen.getByRole('alert').textContent).toContain('between 1 and 600 seconds');
    expect(screen.getByRole('button', { name: 'Run' })).toHaveProperty('disabled', true);
  });

  it('shows the server message when the call is refused', async () => {
    renderPage(ADMIN, async () => {
      throw new ORPCError('CONFLICT', { message: 'this instance does not run the desired tree yet; retry in a moment', data: { code: 'NOT_CONVERGED' } });
    });
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    const region = screen.getByRole('region', { name: 'Run result' });
    await waitFor(() => expect(within(region).getByRole('alert').textContent).toContain('this instance does not run the desired tree yet; retry in a moment'));
    expect(within(region).getByRole('alert').textContent).toContain('NOT_CONVERGED');
  });
});
