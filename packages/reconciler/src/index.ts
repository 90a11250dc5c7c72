// @spk/reconciler: desired state -> local tree on every host, and script runs against it.
export { createReconciler, type Reconciler, type ReconcilerOptions, type ReconcileLogger } from './reconciler.ts';
export { reconcile, DEFAULT_FETCH_CONCURRENCY, type ReconcileDeps, type ReconcileInput, type ReconcileResult } from './reconcile.ts';
export { createFsReconcileDeps, type FetchBlob, type FsReconcileDeps, type FsReconcileDepsOptions } from './fs-reconcile-deps.ts';
export type { BlobRef, BlobSource } from './blob-cache.ts';
export type { TreeBuildStats } from './materialize-tree.ts';
export type { TreeLayout } from './tree-plan.ts';
export { safeExtract, type SafeExtractOptions } from './safe-extract.ts';
export { runScript, type RunScriptOptions } from './run-script.ts';
export { listRunPins, pinnedTreeHashes, type RunPin } from './run-pins.ts';
export { mapConcurrent } from './map-concurrent.ts';
