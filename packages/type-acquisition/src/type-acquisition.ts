// The editor-facing client: given a script's text, fetch the declaration closures of the packages
// it imports (plus Node's built-ins), each once per lockfile hash, and hand the files to the editor.
// Everything learned about one tree lives in a "generation"; a reset or a stale answer replaces it
// whole, so answers that arrive late for an old tree are dropped instead of mixed in, and the editor
// is told (`onReset`) to drop the old tree's files before any file of the next one arrives.
import type ts from 'typescript';
import { lockfileHashSchema, NODE_TYPES_PACKAGE, SpkError, type TypeClosure, type TypeFile, type TypesIndex } from '@spk/common';
import { compilerOptionsFor } from './compiler-options.ts';
import { loadTypeScript, packageNamesIn, type TypeScriptModule } from './import-specifiers.ts';
import { createTypesClient, type TypesClientOptions } from './types-client.ts';
import { untypedModuleFile } from './untyped-module.ts';

export interface TypeAcquisitionLogger {
  debug(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
}

export interface TypeAcquisitionOptions extends TypesClientOptions {
  /**
   * Receives files of the current tree never delivered before (since the last `onReset`), as
   * Monaco's `addExtraLib(content, path)` and a language-service host take them. After a tree
   * change the same paths may come again with other content: replace by path.
   */
  onFiles(files: TypeFile[]): void;
  /**
   * Every file delivered so far is void: drop them all (Monaco: `setExtraLibs([])`; a language
   * service host: forget every file but the scripts). Called when the client moves to another tree,
   * before any file of that tree is delivered: `reset` to a different hash (`lockfileHash` is that
   * hash, or null), or a 409 (`null`: the new hash is read from the server next). Without it an
   * editor keeps the old tree's files: a removed package still resolves, an old `any` placeholder
   * shadows real types, an old nested copy stays.
   */
  onReset?(lockfileHash: string | null): void;
  /** Defaults to the console. */
  logger?: TypeAcquisitionLogger | undefined;
  /**
   * Loads TypeScript for reading a script's imports, once, on the first `acquire`; defaults to
   * `import('typescript')`, which a bundler can split into a chunk of its own.
   */
  loadTypeScript?: (() => Promise<TypeScriptModule>) | undefined;
}

export interface TypeAcquisition {
  /** Fetches the types of every installed package `sourceText` imports. Never rejects: failures are logged and retried on a later call. */
  acquire(sourceText: string): Promise<void>;
  /** The install state's hash changed (or `null`: unknown, ask the server): forget what was fetched and, for a different hash, call `onReset`. */
  reset(lockfileHash: string | null): void;
  /** Importable package names, for import-specifier completion. Rejects with an SpkError when the server cannot say. */
  importablePackages(): Promise<string[]>;
  /** `compilerOptionsFor` the current tree (adds Node's types when installed). Rejects with an SpkError when the server cannot say. */
  compilerOptions(): Promise<ts.CompilerOptions>;
  /** The hash whose types are being delivered; null until the server has been asked. */
  readonly lockfileHash: string | null;
}

type IndexOutcome = { kind: 'ok'; index: TypesIndex } | { kind: 'stale'; error: SpkError } | { kind: 'failed'; error: SpkError };
type ClosureOutcome = 'ok' | 'stale' | 'failed';

interface Generation {
  /** Given by `reset`, or learned from `GET /types`. */
  hash: string | null;
  index: Promise<IndexOutcome> | null;
  /** In flight or delivered; a failed fetch is removed so a later acquire tries again. */
  closures: Map<string, Promise<ClosureOutcome>>;
  /** Paths handed to `onFiles` for this hash. */
  delivered: Set<string>;
}

function newGeneration(hash: string | null): Generation {
  return { hash, index: null, closures: new Map(), delivered: new Set() };
}

function asSpkError(error: unknown): SpkError {
  return error instanceof SpkError ? error : new SpkError('INTERNAL', error instanceof Error ? error.message : String(error), undefined, { cause: error });
}

export function createTypeAcquisition(options: TypeAcquisitionOptions): TypeAcquisition {
  const client = createTypesClient(options);
  const logger: TypeAcquisitionLogger = options.logger ?? console;
  let current = newGeneration(null);
  let typescript: Promise<TypeScriptModule> | null = null;

  /** Loaded once; a failed load is forgotten so that a later acquire tries again. */
  function typescriptOnce(): Promise<TypeScriptModule> {
    if (typescript === null) {
      const loading = (options.loadTypeScript ?? loadTypeScript)();
      typescript = loading;
      loading.catch(() => {
        if (typescript === loading) typescript = null;
      });
    }
    return typescript;
  }

  /** Replaces the current generation and tells the editor to drop what the old one delivered. */
  function moveTo(hash: string | null): void {
    current = newGeneration(hash);
    try {
      options.onReset?.(hash);
    } catch (error) {
      logger.warn('type acquisition: onReset threw while dropping the old tree\'s files', error);
    }
  }

  function indexOf(gen: Generation): Promise<IndexOutcome> {
    if (gen.index === null) {
      const asked = gen.hash;
      const pending = (asked === null ? client.currentIndex() : client.index(asked)).then(
        (index): IndexOutcome => {
          gen.hash = index.lockfileHash;
          return { kind: 'ok', index };
        },
        (error: unknown): IndexOutcome => {
          if (gen.index === pending) gen.index = null;
          const spkError = asSpkError(error);
          if (spkError.code === 'STALE_LOCKFILE_HASH') return { kind: 'stale', error: spkError };
          logger.warn(`type acquisition: cannot read the types index: ${spkError.message}`);
          return { kind: 'failed', error: spkError };
        },
      );
      gen.index = pending;
    }
    return gen.index;
  }

  /** The server moved on from `gen`'s tree: the next request re-reads `GET /types`. False when someone already did. */
  function dropStale(gen: Generation, error: SpkError): boolean {
    if (current !== gen) return false;
    logger.warn(`type acquisition: ${gen.hash ?? 'the tree'} is no longer the server's current tree; re-reading the install state (${error.message})`);
    moveTo(null);
    return true;
  }

  /** The index of the current tree, re-read once when the server says the known hash is stale. */
  async function currentIndex(): Promise<TypesIndex> {
    for (let attempt = 0; ; attempt += 1) {
      const gen = current;
      const outcome = await indexOf(gen);
      if (outcome.kind === 'ok') return outcome.index;
      if (outcome.kind === 'failed' || attempt >= 1) throw outcome.error;
      dropStale(gen, outcome.error);
    }
  }

  function deliver(gen: Generation, files: TypeFile[]): void {
    if (current !== gen) return; // a reset happened while this was in flight: those files belong to another tree
    const fresh = files.filter((file) => !gen.delivered.has(file.path));
    if (fresh.length === 0) return;
    for (const file of fresh) gen.delivered.add(file.path);
    try {
      options.onFiles(fresh);
    } catch (error) {
      logger.warn(`type acquisition: onFiles threw while taking ${fresh.length} files`, error);
    }
  }

  function filesOf(closure: TypeClosure): TypeFile[] {
    if (closure.truncated) logger.warn(`type acquisition: the types of ${closure.name} passed the server's size ceiling; some are missing`);
    return closure.notFound ? [...closure.files, untypedModuleFile(closure.name)] : closure.files;
  }

  function closureOnce(gen: Generation, hash: string, name: string): Promise<ClosureOutcome> {
    let pending = gen.closures.get(name);
    if (pending === undefined) {
      const started = client.closure(hash, name).then(
        (closure): ClosureOutcome => {
          deliver(gen, filesOf(closure));
          return 'ok';
        },
        (error: unknown): ClosureOutcome => {
          if (gen.closures.get(name) === started) gen.closures.delete(name);
          const spkError = asSpkError(error);
          if (spkError.code === 'STALE_LOCKFILE_HASH') return 'stale';
          logger.warn(`type acquisition: no types for ${name}: ${spkError.message}`);
          return 'failed';
        },
      );
      pending = started;
      gen.closures.set(name, pending);
    }
    return pending;
  }

  /** One pass against `gen`'s tree; 'stale' when the server no longer serves it. */
  async function acquireIn(gen: Generation, names: string[]): Promise<'done' | 'stale'> {
    const outcome = await indexOf(gen);
    if (outcome.kind === 'failed') return 'done';
    if (outcome.kind === 'stale') {
      dropStale(gen, outcome.error);
      return 'stale';
    }
    const { index } = outcome;
    const installed = new Set(index.packages.map((entry) => entry.name));
    const wanted = index.nodeTypes === null ? [] : [NODE_TYPES_PACKAGE];
    for (const name of names) {
      if (installed.has(name)) wanted.push(name);
      else logger.debug(`type acquisition: ${name} is not installed in ${index.lockfileHash}; no types to fetch`);
    }
    const outcomes = await Promise.all(wanted.map((name) => closureOnce(gen, index.lockfileHash, name)));
    if (!outcomes.includes('stale')) return 'done';
    dropStale(gen, new SpkError('STALE_LOCKFILE_HASH', `a closure request for ${index.lockfileHash} answered 409`));
    return 'stale';
  }

  return {
    async acquire(sourceText) {
      let typescriptModule: TypeScriptModule;
      try {
        typescriptModule = await typescriptOnce();
      } catch (error) {
        logger.warn("type acquisition: cannot load TypeScript to read the script's imports; no types until a later acquire", error);
        return;
      }
      try {
        const names = packageNamesIn(typescriptModule, sourceText);
        if ((await acquireIn(current, names)) === 'stale' && (await acquireIn(current, names)) === 'stale') {
          logger.warn('type acquisition: the server changed trees again while re-reading; giving up until the next acquire');
        }
      } catch (error) {
        // Nothing above is meant to throw; if it does, the editor still must not see it.
        logger.warn('type acquisition: unexpected failure', error);
      }
    },
    reset(lockfileHash) {
      if (lockfileHash !== null && !lockfileHashSchema.safeParse(lockfileHash).success) {
        logger.warn(`type acquisition: reset with ${JSON.stringify(lockfileHash)}, which is not a lockfile hash; asking the server for its current tree instead`);
        lockfileHash = null;
      }
      if (lockfileHash !== null && lockfileHash === current.hash) return;
      moveTo(lockfileHash);
    },
    async importablePackages() {
      return (await currentIndex()).packages.map((entry) => entry.name);
    },
    async compilerOptions() {
      return compilerOptionsFor(await currentIndex());
    },
    get lockfileHash() {
      return current.hash;
    },
  };
}
