// A bench worker: a child node process (same loader flags as the bench) that runs the measured
// work, so its time and peak RSS are its own and not the bench's. The parent sends requests over
// the IPC channel and gets one reply each; the child's stdout goes to our stderr so `--json`
// keeps stdout clean.
import { fork, type ChildProcess } from 'node:child_process';

export interface WorkerReply<T> {
  ok: boolean;
  value?: T;
  error?: string;
}

export interface BenchWorker {
  request<T>(message: unknown): Promise<T>;
  /** Asks the worker to exit and waits for it. */
  close(): Promise<void>;
}

export function startWorker(modulePath: string, env: NodeJS.ProcessEnv = {}): BenchWorker {
  const child: ChildProcess = fork(modulePath, [], { execArgv: process.execArgv, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  child.stdout!.pipe(process.stderr);
  let exited: Error | undefined;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = new Error(`bench worker ${modulePath} exited (${signal ?? code})`);
      resolve();
    }),
  );
  let queue: Promise<unknown> = Promise.resolve();
  return {
    request<T>(message: unknown): Promise<T> {
      const reply = queue.then(
        () =>
          new Promise<T>((resolve, reject) => {
            if (exited) return reject(exited);
            const onExit = () => reject(exited);
            child.once('exit', onExit);
            child.once('message', (raw) => {
              child.off('exit', onExit);
              const answer = raw as WorkerReply<T>;
              if (answer.ok) resolve(answer.value as T);
              else reject(new Error(`bench worker ${modulePath}: ${answer.error}`));
            });
            child.send(message as object);
          }),
      );
      queue = reply.catch(() => undefined);
      return reply;
    },
    async close() {
      if (!exited) child.send({ type: 'exit' });
      await exit;
    },
  };
}

/**
 * The child's side: answers each request with `handle`'s value or its error; on `{ type: 'exit' }`
 * runs `close` (the worker's own cleanup) and exits.
 */
export function serveRequests(handle: (message: Record<string, unknown>) => Promise<unknown>, close: () => Promise<void> = async () => undefined): void {
  process.on('message', (raw) => {
    const message = raw as Record<string, unknown>;
    if (message.type === 'exit') {
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`bench worker cleanup failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
      return;
    }
    handle(message).then(
      (value) => process.send!({ ok: true, value }),
      (error: unknown) => process.send!({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}
