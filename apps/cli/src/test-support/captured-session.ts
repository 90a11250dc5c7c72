// A test's conversation with one real server, every word of it kept: each API response body and
// each `spk` run's stdout and stderr go into one Capture, so a test can grep all of it for secrets
// at the end. Also the install loop an operator runs (trigger, follow install.state to its end).
import type { InstallState } from '@spk/common';
import type { Capture } from '@spk/tools';
import { runSpk, type SpkResult } from './run-spk.ts';

export interface ApiAnswer {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads answers of many shapes
  body: any;
}

export interface CapturedSession {
  /** REST call under /api; the answer (any status) is captured. */
  api(method: string, route: string, body?: unknown): Promise<ApiAnswer>;
  /** The real `spk` bin against the server, with `stdin` piped in when given; output captured. */
  spk(args: readonly string[], stdin?: string): Promise<SpkResult>;
  /** POST /install, then install.state until this install has settled. */
  install(): Promise<InstallState>;
}

const POLL_MS = 200;
/** Polls to wait for a triggered install to show as `installing` before trusting a settled state. */
const START_GRACE_POLLS = 50;

/** `target()` is read on every call, so a restarted server (new URL, same token) is picked up. */
export function createCapturedSession(capture: Capture, target: () => { url: string; token: string }): CapturedSession {
  const api: CapturedSession['api'] = async (method, route, body) => {
    const { url, token } = target();
    const response = await fetch(`${url}/api${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    capture.add(`${method} /api${route} → ${response.status}`, text);
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: the text is still captured and returned.
    }
    return { status: response.status, text, body: parsed };
  };

  return {
    api,
    async spk(args, stdin) {
      const { url, token } = target();
      const env = { SPK_SERVER: url, SPK_TOKEN: token };
      const result = await runSpk(args, { env, ...(stdin === undefined ? {} : { stdin }) });
      capture.add(`spk ${args.join(' ')} (exit ${result.code}) stdout`, result.stdout);
      capture.add(`spk ${args.join(' ')} (exit ${result.code}) stderr`, result.stderr);
      return result;
    },
    async install() {
      const before = (await api('GET', '/install')).body as InstallState;
      const trigger = await api('POST', '/install', {});
      if (trigger.status >= 300) throw new Error(`POST /install answered ${trigger.status}: ${trigger.text}`);
      let sawInstalling = (trigger.body as { state: InstallState }).state.status === 'installing';
      for (let polls = 0; ; polls++) {
        const state = (await api('GET', '/install')).body as InstallState;
        if (state.status === 'installing') sawInstalling = true;
        else if (sawInstalling || state.finishedAt !== before.finishedAt || polls >= START_GRACE_POLLS) return state;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
  };
}
