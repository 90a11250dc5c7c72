// @spk/reconciler: desired state -> local tree on every host, and script runs against it.
export { createReconciler, type Reconciler, type ReconcilerOptions, type ReconcilerTreeGc, type ReconcileLogger } from './reconciler.ts';
export type { TreeGcSettings } from './gc/fs-tree-gc.ts';
export { millisSetting, TREE_GC_ENV, treeGcEnvShape, treeGcFromEnv, type TreeGcConfig } from './gc/tree-gc-settings.ts';
export { reconcile, DEFAULT_FETCH_CONCURRENCY, type ReconcileDeps, type ReconcileInput, type ReconcileResult } from './reconcile.ts';
export { createFsReconcileDeps, type FetchBlob, type FsReconcileDeps, type FsReconcileDepsOptions, type InstallScriptOptions } from './fs-reconcile-deps.ts';
export {
  DEFAULT_INSTALL_SCRIPTS_TIMEOUT_MS,
  INSTALL_SCRIPTS_TIMEOUT_ENV,
  installScriptsEnvShape,
  installScriptsFromEnv,
  installScriptsFromParsedEnv,
  type InstallScriptsConfig,
} from './install-scripts/install-script-settings.ts';
export type { BlobRef, BlobSource } from './blob-cache.ts';
export type { TreeBuildStats } from './materialize-tree.ts';
export type { TreeLayout } from './tree-plan.ts';
export { safeExtract, type SafeExtractOptions } from './safe-extract.ts';
export { fsckHost, type FsckHostOptions, type FsckReport } from './fsck.ts';
export { removeSealed } from './sealed-dirs.ts';
export { runScript, DEFAULT_RUN_SETTINGS, type RunScriptOptions, type ScriptRunSettings } from './runs/run-script.ts';
export { createScriptRunner, type ScriptRunner, type ScriptRunnerOptions } from './runs/script-runner.ts';
export { listRunPins, pinnedTreeHashes, readRunPins, type RunPin, type RunPinOnDisk } from './runs/run-pins.ts';
export { limitConcurrency, mapConcurrent } from './map-concurrent.ts';
export { createCoalescingQueue, type CoalescingQueue, type CoalescingQueueOptions } from './coalescing-queue.ts';
export { checkTarball, type TarballCheckOptions } from './tarball-check.ts';
export { isProcessAlive, readBootId } from './process-liveness.ts';
export { acquireDataDirLock, dataDirLockFile, type DataDirLock, type DataDirOwner } from './host-dir/data-dir-lock.ts';
export { prepareDataDir, type DataDirModeOptions } from './host-dir/private-data-dir.ts';
export { currentTreeHash } from './host-dir/current-tree-hash.ts';
export { runSettingsEnvShape, runSettingsFromEnv, runSettingsFromParsedEnv, type RunSettingsFromEnv } from './runs/run-settings-env.ts';
export { dataLayout, type DataLayout } from './data-layout.ts';
export { sweepStaleTemps, tempName, writeFileAtomically } from './temp-names.ts';
export { readFileIfPresent } from './read-if-present.ts';
