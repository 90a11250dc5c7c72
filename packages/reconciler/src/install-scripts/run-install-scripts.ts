// Runs the allowed lifecycle scripts of a tree: package by package in dependency order, each
// package's preinstall, install and postinstall in its own directory with a confined environment,
// a private HOME/TMPDIR and a timeout. The first failure stops everything with
// INSTALL_SCRIPT_FAILED, naming the package, the script, how it ended and its last output.
import { chown, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { SpkError, type ManifestEntry } from '@spk/common';
import type { DataLayout } from '../data-layout.ts';
import { openDirToRunUser, openTreeDirToRunUser } from '../runs/run-user-access.ts';
import { removeSealed } from '../sealed-dirs.ts';
import { tempName } from '../temp-names.ts';
import type { TreeLayout } from '../tree-plan.ts';
import { installScriptEnv } from './install-script-env.ts';
import { installScriptOrder } from './install-script-order.ts';
import { runInstallScriptProcess, type InstallScriptOutcome } from './install-script-process.ts';
import { DEFAULT_INSTALL_SCRIPTS_TIMEOUT_MS, INSTALL_SCRIPTS_TIMEOUT_ENV } from './install-script-settings.ts';
import { readLifecycleScripts, type LifecycleStage } from './lifecycle-scripts.ts';
import { installScriptRunId } from './orphaned-install-scripts.ts';
import { openPackageToScripts, sealScriptPackage, type Owner } from './script-package-modes.ts';

export interface InstallScriptLogger {
  info(message: string, fields?: Record<string, unknown>): void;
}

export interface InstallScriptSettings {
  timeoutMs: number;
  /** Run scripts as this user (the host must be root); resolved from SPK_RUN_AS_USER. */
  runAs?: Owner;
  logger?: InstallScriptLogger;
}

/** A 5-minute timeout per script, as the host's own user, unlogged. */
export const DEFAULT_INSTALL_SCRIPT_SETTINGS: InstallScriptSettings = { timeoutMs: DEFAULT_INSTALL_SCRIPTS_TIMEOUT_MS };

export interface TreeInstallScriptsInput {
  layout: DataLayout;
  /** The tree's root directory (a tree being built, or the current one when fsck repairs it). */
  treeRoot: string;
  treeLayout: TreeLayout;
  manifest: readonly ManifestEntry[];
  /** Only these package paths (fsck reruns the scripts of the packages it repaired); default all. */
  only?: ReadonlySet<string>;
  settings: InstallScriptSettings;
  /** What a failure leaves behind, for the error's message (e.g. "the previous tree stays current"). */
  consequence: string;
}

export interface TreeInstallScriptsReport {
  packages: number;
  scripts: number;
}

function describeEnd(outcome: InstallScriptOutcome, timeoutMs: number): string {
  if (outcome.timedOut) return `did not finish within ${timeoutMs} ms and was killed (raise ${INSTALL_SCRIPTS_TIMEOUT_ENV} if it needs longer)`;
  if (outcome.signal) return `was killed by ${outcome.signal}`;
  return `exited with code ${outcome.code}`;
}

function scriptFailed(entry: ManifestEntry, stage: LifecycleStage, outcome: InstallScriptOutcome, input: TreeInstallScriptsInput): SpkError {
  const label = `${entry.name}@${entry.version}`;
  // The output comes last: a satellite's report keeps the start of a long message.
  const output = outcome.outputTail === '' ? ' It printed nothing.' : ` Its last output:\n${outcome.outputTail}`;
  return new SpkError(
    'INSTALL_SCRIPT_FAILED',
    `the ${stage} script of ${label} ${describeEnd(outcome, input.settings.timeoutMs)}; ${input.consequence}; ` +
      `fix the package, or stop its scripts with "spk packages disallow-scripts ${entry.name}", and install again.${output}`,
    { package: label, path: entry.path, script: stage, exitCode: outcome.code, signal: outcome.signal, timedOut: outcome.timedOut },
  );
}

async function runPackageScripts(input: TreeInstallScriptsInput, treeRoot: string, entry: ManifestEntry): Promise<number> {
  const { settings } = input;
  const label = `${entry.name}@${entry.version}`;
  const packageDir = path.join(treeRoot, entry.path);
  const { stages, gypSkipped } = await readLifecycleScripts(packageDir, label);
  if (gypSkipped) {
    settings.logger?.info('install script skipped: npm would run "node-gyp rebuild" (binding.gyp, no install script), which hosts do not', {
      package: label,
      path: entry.path,
      script: 'install',
    });
  }
  if (stages.length === 0) return 0;

  // Next to the tree (trees/), so a crashed host's leftovers are swept with the tree's temp dirs.
  const privateDir = path.join(path.dirname(treeRoot), tempName('install-home'));
  await mkdir(privateDir, 0o700);
  try {
    if (settings.runAs) await chown(privateDir, settings.runAs.uid, settings.runAs.gid);
    await openPackageToScripts(packageDir, settings.runAs);
    for (const { stage, script } of stages) {
      const runId = installScriptRunId();
      const env = installScriptEnv({
        treeRoot,
        packagePath: entry.path,
        name: entry.name,
        version: entry.version,
        stage,
        privateDir,
        runId,
        execPath: process.execPath,
        hostPath: process.env.PATH ?? '',
        knownFlags: process.allowedNodeEnvironmentFlags,
      });
      const outcome = await runInstallScriptProcess({
        script,
        cwd: packageDir,
        env,
        runId,
        timeoutMs: settings.timeoutMs,
        ...(settings.runAs ? { runAs: settings.runAs } : {}),
      });
      // Never the environment or the script's output: the error carries the output to whoever asked.
      settings.logger?.info('install script ran', {
        package: label,
        path: entry.path,
        script: stage,
        durationMs: Math.round(outcome.durationMs),
        exitCode: outcome.code,
        signal: outcome.signal,
        timedOut: outcome.timedOut,
      });
      if (outcome.timedOut || outcome.code !== 0) throw scriptFailed(entry, stage, outcome, input);
    }
  } finally {
    await removeSealed(privateDir);
    // Also after a failure: fsck repairs in the current tree, which must never stay the run user's.
    await sealScriptPackage(packageDir, settings.runAs ? { uid: process.getuid!(), gid: process.getgid!() } : undefined);
    // What the scripts made (private, under the host's umask) is read by script runs as that user;
    // a tree is opened to it once, so a repair in the current tree would otherwise stay unreadable.
    if (settings.runAs) await openDirToRunUser(packageDir);
  }
  return stages.length;
}

export async function runTreeInstallScripts(input: TreeInstallScriptsInput): Promise<TreeInstallScriptsReport> {
  const order = installScriptOrder(input.manifest).filter((entry) => !input.only || input.only.has(entry.path));
  const report: TreeInstallScriptsReport = { packages: 0, scripts: 0 };
  if (order.length === 0) return report;
  // Node's permission model compares real paths: a data dir reached through a symlink must not
  // make the package's own directory look like somewhere else.
  const treeRoot = await realpath(input.treeRoot);
  if (input.settings.runAs) await openTreeDirToRunUser(input.layout, input.treeRoot, input.treeLayout === 'linked-packages');
  for (const entry of order) {
    const scripts = await runPackageScripts(input, treeRoot, entry);
    if (scripts > 0) report.packages++;
    report.scripts += scripts;
  }
  return report;
}
