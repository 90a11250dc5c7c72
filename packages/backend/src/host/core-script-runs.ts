// Script runs on a core instance: each run goes to the desired tree through the reconciler's
// script runner (limits, confinement, concurrency), and every run is logged with who asked,
// what ran (the script's sha256, never its source or environment) and how it ended.
import { createHash } from 'node:crypto';
import { createScriptRunner, type ScriptRunnerOptions } from '@spk/reconciler';
import { SpkError, type RunResult, type RunScriptInput } from '@spk/common';
import { describeError } from '../errors/driver-error.ts';
import type { InstallStateStore } from '../stores/install-state-store.ts';
import type { Logger } from '../services.ts';

/** Settings for this instance's script runs; each one left out takes its default. */
export type ScriptRunOptions = Pick<ScriptRunnerOptions, 'settings' | 'runAsUser'>;

export interface RunCaller {
  principalId: string;
}

export function createCoreScriptRuns(deps: { dataDir: string; state: InstallStateStore; logger: Logger; options?: ScriptRunOptions }) {
  const log = deps.logger.child({ component: 'script-runs' });
  const runner = createScriptRunner({ dataDir: deps.dataDir, ...deps.options });

  return {
    /** Checks the run user and reaps runs a crashed predecessor left; call before serving. */
    async prepare(): Promise<void> {
      const report = await runner.prepare();
      if (report.killed > 0 || report.removed > 0) log.warn({ ...report }, 'reaped script runs left by a previous server process');
    },

    async run(input: Required<RunScriptInput>, caller: RunCaller): Promise<RunResult> {
      const started = performance.now();
      const scriptSha256 = createHash('sha256').update(input.source).digest('hex');
      let runId: string | null = null;
      let lockfileHash: string | null = null;
      const entry = () => ({ runId, principalId: caller.principalId, scriptSha256, filename: input.filename, lockfileHash, durationMs: Math.round(performance.now() - started) });
      try {
        lockfileHash = await deps.state.readDesiredHash();
        if (!lockfileHash) throw new SpkError('NO_DESIRED_STATE', 'nothing has been installed yet; declare packages and run "spk install --wait" first');
        const result = await runner.run({ expectedHash: lockfileHash, ...input, onPinned: (id) => (runId = id) });
        log.info({ ...entry(), outcome: result.ok ? 'ok' : result.error?.code ?? 'RUN_FAILED' }, 'script run finished');
        return result;
      } catch (error) {
        // Refused before or while starting (TOO_MANY_RUNS, NOT_CONVERGED, ...): logged as such.
        log.warn({ ...entry(), outcome: (error as SpkError).code ?? 'INTERNAL', ...describeError(error) }, 'script run refused');
        throw error;
      }
    },
  };
}
