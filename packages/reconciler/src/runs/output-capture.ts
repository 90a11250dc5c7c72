// Keeps the first `maxBytes` of a run's stdout or stderr and counts the rest, which is read and
// dropped so the child never blocks on a full pipe. A cut stream ends with a marker naming the
// limit and the setting that raises it. A short tail is kept apart for diagnosis (a V8 OOM
// message comes last, after whatever the script printed).
import { RUN_SETTING_ENV } from '@spk/common';

const TAIL_BYTES = 4096;

export interface CapturedOutput {
  text: string;
  truncated: boolean;
  /** The last bytes written, whether or not they were kept. */
  tail: string;
}

function truncationMarker(stream: 'stdout' | 'stderr', totalBytes: number, maxBytes: number): string {
  return `\n[spk: ${stream} truncated: the script wrote ${totalBytes} bytes, only the first ${maxBytes} are kept; raise ${RUN_SETTING_ENV.maxOutputBytes} to keep more]\n`;
}

export function captureOutput(stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr', maxBytes: number): () => CapturedOutput {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  let tail = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    total += chunk.length;
    tail = Buffer.concat([tail, chunk.subarray(-TAIL_BYTES)]).subarray(-TAIL_BYTES);
    const room = maxBytes - kept;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    chunks.push(part);
    kept += part.length;
  });
  return () => {
    const truncated = total > maxBytes;
    const text = Buffer.concat(chunks).toString('utf8') + (truncated ? truncationMarker(name, total, maxBytes) : '');
    return { text, truncated, tail: tail.toString('utf8') };
  };
}
