// Polling for the browser test: playwright-core has no retrying `expect`, so conditions that settle
// over time (an install finishing, a host converging) are asked again at short intervals.

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Calls `probe` until it returns a value other than undefined, and returns that value. On timeout
 * the error says what was awaited and what `describe` reports about the last state seen.
 */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, options: WaitOptions & { describe?: () => Promise<string> | string }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const state = options.describe ? await Promise.resolve(options.describe()).catch((e: unknown) => `(could not describe: ${String(e)})`) : '';
      const cause = lastError ? `; last probe error: ${String(lastError)}` : '';
      throw new Error(`Timed out after ${options.timeoutMs} ms waiting for ${what}${cause}${state ? `\nLast state seen: ${state}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}
