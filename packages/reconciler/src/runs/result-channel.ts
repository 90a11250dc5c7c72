// The run's result travels over its own pipe (fd 3) as one frame that starts with a per-run
// nonce. The runner reads the nonce from stdin before the script is imported, so neither the
// script nor its packages can know it: anything else written to fd 3 is refused, never taken
// for the result. The parent keeps at most the cap in memory, whatever the child writes.
import { randomBytes } from 'node:crypto';

export const RESULT_FD = 3;
const MAGIC = 'SPKRESULT1';
/** Room for the header on top of the result's own cap. */
const HEADER_ROOM = 256;

export type ResultFrame =
  | { kind: 'ok'; json: string }
  /** The script exports nothing: no default export, an undefined one, or an empty CommonJS module.exports. */
  | { kind: 'none' }
  | { kind: 'error'; message: string }
  /** The runner measured the result and did not send it. */
  | { kind: 'too-large'; bytes: number };

export type ChannelOutcome =
  | { status: 'empty' }
  | { status: 'frame'; frame: ResultFrame }
  /** More than the cap arrived; what came was dropped. */
  | { status: 'overflow'; bytes: number }
  | { status: 'forged'; reason: string };

export const newNonce = (): string => randomBytes(24).toString('hex');

/** What the runner writes (kept here for tests; run-child.mjs writes the same bytes). */
export function encodeFrame(nonce: string, kind: ResultFrame['kind'], payload = ''): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${MAGIC} ${nonce} ${kind} ${body.length}\n`), body]);
}

export function decodeFrame(bytes: Buffer, nonce: string): ChannelOutcome {
  if (bytes.length === 0) return { status: 'empty' };
  const newline = bytes.indexOf(0x0a);
  const header = (newline < 0 ? bytes : bytes.subarray(0, newline)).toString('latin1').split(' ');
  if (newline < 0 || header.length !== 4 || header[0] !== MAGIC) return { status: 'forged', reason: 'it does not start with a result header' };
  if (header[1] !== nonce) return { status: 'forged', reason: "its header does not carry this run's secret" };
  const body = bytes.subarray(newline + 1);
  if (String(body.length) !== header[3]) return { status: 'forged', reason: `it holds ${body.length} bytes after the header, not the ${header[3]} the header announces` };
  const payload = body.toString('utf8');
  switch (header[2]) {
    case 'ok':
      return { status: 'frame', frame: { kind: 'ok', json: payload } };
    case 'none':
      return payload === '' ? { status: 'frame', frame: { kind: 'none' } } : { status: 'forged', reason: 'a "none" frame carries a payload' };
    case 'error':
      return { status: 'frame', frame: { kind: 'error', message: payload } };
    case 'too-large':
      return { status: 'frame', frame: { kind: 'too-large', bytes: Number(payload) } };
    default:
      return { status: 'forged', reason: `its kind "${header[2]}" is unknown` };
  }
}

/**
 * Reads the channel keeping at most `maxResultBytes` plus a header; `onOverflow` fires once when
 * the child writes more (the caller kills it). The channel is drained to the end either way.
 */
export function readResultChannel(stream: NodeJS.ReadableStream, nonce: string, maxResultBytes: number, onOverflow: () => void) {
  const cap = maxResultBytes + HEADER_ROOM;
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  stream.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (kept + chunk.length > cap) {
      if (kept <= cap) onOverflow();
      kept = cap + 1;
      chunks.length = 0;
      return;
    }
    chunks.push(chunk);
    kept += chunk.length;
  });
  return (): ChannelOutcome => (kept > cap ? { status: 'overflow', bytes: total } : decodeFrame(Buffer.concat(chunks), nonce));
}
