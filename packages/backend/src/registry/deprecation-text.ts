// A publisher's deprecation message as our warnings quote it: the registry's text, of any length
// and layout, on one line and capped. The declare-time check and the install's tree warnings both
// quote it through here, so the two say the same.
const MAX_MESSAGE = 160;

/** `"message"` on one line, cut to MAX_MESSAGE characters with "…" when longer. */
export function quotedDeprecation(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return `"${line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line}"`;
}
