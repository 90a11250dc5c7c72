// Whether a followed stream is flowing: "live" while it is, "reconnecting…" while useStream retries
// (with why it broke), so a screen that stopped changing is never mistaken for a quiet one.
import type { Streamed } from '../ui/hooks.ts';

export function StreamIndicator({ stream, label }: { stream: Streamed<unknown>; label: string }) {
  const state = stream.connected ? 'live' : stream.latest !== null || stream.error ? 'reconnecting' : 'connecting';
  const text = state === 'live' ? 'live' : state === 'reconnecting' ? 'reconnecting…' : 'connecting…';
  return (
    <span className={`stream stream-${state}`} role="status" aria-label={label}>
      <span className="stream-dot" aria-hidden="true" />
      {text}
      {stream.error && !stream.connected ? <span className="stream-why"> ({stream.error.message})</span> : null}
    </span>
  );
}
