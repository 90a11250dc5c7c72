// A host's script runner: its settings, declared once; a limit on runs at once (a refusal says
// when to retry); the run user resolved once; and the start-up sweep of what a crashed
// predecessor's runs left behind.
import { RUN_SETTING_ENV, SpkError, type RunResult } from '@spk/common';
import { reapRunLeftovers, type ReapReport } from './reap-runs.ts';
import { DEFAULT_RUN_SETTINGS, runScript, type ScriptRunSettings } from './run-script.ts';
import { resolveRunUser, type RunUser } from './run-user.ts';

export interface ScriptRunnerOptions {
  dataDir: string;
  settings?: Partial<Omit<ScriptRunSettings, 'runAs'>>;
  /** Run scripts as this OS user (SPK_RUN_AS_USER); the server must run as root. */
  runAsUser?: string;
}

export interface ScriptRunRequest {
  expectedHash: string;
  filename: string;
  source: string;
  timeoutMs: number;
  onPinned?: (runId: string) => void;
}

const MIN_RETRY_MS = 250;

export function createScriptRunner(options: ScriptRunnerOptions) {
  const settings = { ...DEFAULT_RUN_SETTINGS, ...options.settings };
  /** Deadline of each active run, to tell a refused caller when a slot frees up at the latest. */
  const active = new Set<{ deadline: number }>();
  let runUser: Promise<RunUser> | null = null;
  const user = () => (options.runAsUser ? (runUser ??= resolveRunUser(options.runAsUser)) : Promise.resolve(null));

  function tooMany(): SpkError {
    const soonest = Math.min(...[...active].map((run) => run.deadline));
    const retryAfterMs = Math.max(MIN_RETRY_MS, Math.min(soonest - Date.now(), 1000));
    return new SpkError(
      'TOO_MANY_RUNS',
      `this instance is already running ${active.size} scripts, its limit (${RUN_SETTING_ENV.maxConcurrent}=${settings.maxConcurrent}); retry in ${retryAfterMs} ms, or raise ${RUN_SETTING_ENV.maxConcurrent}`,
      { limit: settings.maxConcurrent, retryAfterMs },
    );
  }

  return {
    settings,
    activeRuns: () => active.size,
    /** Checks the run user and reaps leftovers of a crashed predecessor; call once at start. */
    async prepare(): Promise<ReapReport> {
      await user();
      return reapRunLeftovers(options.dataDir);
    },
    async run(request: ScriptRunRequest): Promise<RunResult> {
      if (active.size >= settings.maxConcurrent) throw tooMany();
      // Taken synchronously, so concurrent callers can never both get the last slot.
      const slot = { deadline: Date.now() + request.timeoutMs };
      active.add(slot);
      try {
        const runAs = await user();
        return await runScript({
          dataDir: options.dataDir,
          expectedHash: request.expectedHash,
          filename: request.filename,
          source: request.source,
          timeoutMs: request.timeoutMs,
          settings: { ...settings, ...(runAs ? { runAs: { uid: runAs.uid, gid: runAs.gid } } : {}) },
          ...(request.onPinned ? { onPinned: request.onPinned } : {}),
        });
      } finally {
        active.delete(slot);
      }
    },
  };
}

export type ScriptRunner = ReturnType<typeof createScriptRunner>;
