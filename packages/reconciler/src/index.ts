// @spk/reconciler: desired state -> local tree on every host, and script runs against it.
export { createReconciler, type Reconciler, type ReconcilerOptions, type ReconcileLogger } from './reconciler.ts';
export { reconcile, DEFAULT_FETCH_CONCURRENCY, type ReconcileDeps, type ReconcileInput, type ReconcileResult } from './reconcile.ts';
export { createFsReconcileDeps, type FetchBlob, type FsReconcileDeps, type FsReconcileDepsOptions } from './fs-reconcile-deps.ts';
export type { BlobRef, BlobSource } from './blob-cache.ts';
export type { TreeBuildStats } from './materialize-tree.ts';
export type { TreeLayout } from './tree-plan.ts';
export { safeExtract, type SafeExtractOptions } from './safe-extract.ts';
export { fsckHost, type FsckHostOptions, type FsckReport } from './fsck.ts';
export { removeSealed } from './sealed-dirs.ts';
export { runScript, DEFAULT_RUN_SETTINGS, type RunScriptOptions, type ScriptRunSettings } from './runs/run-script.ts';
export { createScriptRunner, type ScriptRunner, type ScriptRunnerOptions } from './runs/script-runner.ts';
export { listRunPins, pinnedTreeHashes, type RunPin } from './runs/run-pins.ts';
export { mapConcurrent } from './map-concurrent.ts';
export { checkTarball, type TarballCheckOptions } from './tarball-check.ts';
export { isProcessAlive, readBootId } from './process-liveness.ts';
