// How the Install section reads an install state: the steps of a running install (which one is
// current, with its count), the overall percentage for the progress bar, and the outcome of the
// last attempt (done, failed, never installed). Pure, so the wording is tested without a page.
import { INSTALL_PHASES, type InstallProgress, type InstallState, type StateError } from '@spk/common';

export type InstallPhase = (typeof INSTALL_PHASES)[number];

const STEP_NAMES: Record<InstallPhase, string> = {
  resolving: 'resolve',
  fetching: 'fetch',
  checking: 'check',
  publishing: 'publish',
  committing: 'commit',
};

export type StepState = 'done' | 'current' | 'pending';

export interface InstallStep {
  phase: InstallPhase;
  /** "fetch 3/10" for the current step when it counts, else the bare step name. */
  label: string;
  state: StepState;
}

/** The five steps in order; before the first progress report the first one is current. */
export function installSteps(progress: InstallProgress | null): InstallStep[] {
  const at = progress ? INSTALL_PHASES.indexOf(progress.phase) : 0;
  return INSTALL_PHASES.map((phase, index) => {
    const state: StepState = index < at ? 'done' : index === at ? 'current' : 'pending';
    const counted = state === 'current' && progress && progress.total > 0;
    return { phase, label: counted ? `${STEP_NAMES[phase]} ${progress.done}/${progress.total}` : STEP_NAMES[phase], state };
  });
}

/** Progress over the whole install, 0–100: each step is a fifth, the current one filled by its count. */
export function installPercent(progress: InstallProgress | null): number {
  if (!progress) return 0;
  const at = INSTALL_PHASES.indexOf(progress.phase);
  const within = progress.total > 0 ? Math.min(progress.done, progress.total) / progress.total : 0;
  return Math.round(((at + within) / INSTALL_PHASES.length) * 100);
}

export type InstallOutcome =
  | { kind: 'installing'; step: string }
  | { kind: 'done'; lockfileHash: string; committedAt: string | null }
  | { kind: 'failed'; error: StateError; lockfileHash: string | null }
  | { kind: 'never' };

export function installOutcome(state: InstallState): InstallOutcome {
  if (state.status === 'installing') {
    const current = installSteps(state.progress).find((step) => step.state === 'current');
    return { kind: 'installing', step: current?.label ?? STEP_NAMES.resolving };
  }
  if (state.status === 'failed' || state.error) {
    const error = state.error ?? { code: 'INTERNAL', message: 'the install failed without a recorded error; see the server log' };
    return { kind: 'failed', error, lockfileHash: state.lockfileHash };
  }
  if (state.lockfileHash) return { kind: 'done', lockfileHash: state.lockfileHash, committedAt: state.committedAt };
  return { kind: 'never' };
}
