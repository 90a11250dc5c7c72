import { describe, expect, it } from 'vitest';
import { formatSeconds, parseSeconds, secondsOption } from './durations.ts';
import { UsageError } from './usage-error.ts';

describe('parseSeconds', () => {
  it.each([
    ['300', 300_000],
    ['90s', 90_000],
    ['5m', 300_000],
    [' 2 M ', 120_000],
  ])('reads %j as %d ms', (text, ms) => expect(parseSeconds(text)).toBe(ms));

  it.each(['', '0', '-5', '1.5', '10h', 'soon', '500ms'])('refuses %j', (text) => expect(parseSeconds(text)).toBeNull());
});

describe('secondsOption', () => {
  it('names the flag and the accepted forms when the value is wrong', () => {
    const call = () => secondsOption('soon', '--timeout', 'install');
    expect(call).toThrow(UsageError);
    expect(call).toThrow('--timeout takes a whole number of seconds (or 90s, 5m), got "soon"');
  });

  it('refuses more than the maximum, naming it in seconds', () => {
    expect(() => secondsOption('2m', '--wait-converged', 'run', 60_000)).toThrow('--wait-converged is at most 60 seconds, got "2m"');
    expect(secondsOption('60', '--wait-converged', 'run', 60_000)).toBe(60_000);
    expect(secondsOption(undefined, '--wait-converged', 'run', 60_000)).toBeUndefined();
  });
});

describe('formatSeconds', () => {
  it('prints seconds to a tenth, without a trailing .0', () => {
    expect(formatSeconds(0)).toBe('0 s');
    expect(formatSeconds(340)).toBe('0.3 s');
    expect(formatSeconds(12_000)).toBe('12 s');
    expect(formatSeconds(95_540)).toBe('95.5 s');
  });
});
