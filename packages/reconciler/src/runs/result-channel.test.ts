import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, newNonce, readResultChannel } from './result-channel.ts';

describe('the result channel', () => {
  const nonce = newNonce();

  it('accepts exactly one frame carrying the run nonce', () => {
    expect(decodeFrame(encodeFrame(nonce, 'ok', '{"a":"é"}'), nonce)).toEqual({ status: 'frame', frame: { kind: 'ok', json: '{"a":"é"}' } });
    expect(decodeFrame(encodeFrame(nonce, 'too-large', '99'), nonce)).toEqual({ status: 'frame', frame: { kind: 'too-large', bytes: 99 } });
    expect(decodeFrame(Buffer.alloc(0), nonce)).toEqual({ status: 'empty' });
  });

  it('carries "no result" as a frame of its own, with no payload', () => {
    expect(decodeFrame(encodeFrame(nonce, 'none'), nonce)).toEqual({ status: 'frame', frame: { kind: 'none' } });
    expect(decodeFrame(encodeFrame(nonce, 'none', 'null'), nonce)).toMatchObject({ status: 'forged' });
    expect(decodeFrame(encodeFrame(nonce, 'ok', 'null'), nonce)).toEqual({ status: 'frame', frame: { kind: 'ok', json: 'null' } });
  });

  it('refuses a frame with another nonce, junk, or bytes beyond the announced length', () => {
    expect(decodeFrame(encodeFrame(newNonce(), 'ok', '1'), nonce)).toMatchObject({ status: 'forged' });
    expect(decodeFrame(Buffer.from('{"ok":true}'), nonce)).toMatchObject({ status: 'forged' });
    const twice = Buffer.concat([encodeFrame(nonce, 'ok', '1'), encodeFrame(nonce, 'ok', '2')]);
    expect(decodeFrame(twice, nonce)).toMatchObject({ status: 'forged' });
  });

  it('keeps no more than the cap in memory and signals the overflow once', () => {
    const stream = new PassThrough();
    let overflows = 0;
    const outcome = readResultChannel(stream, nonce, 1000, () => (overflows += 1));
    for (let i = 0; i < 10; i++) stream.write(Buffer.alloc(600, 120));
    expect(overflows).toBe(1);
    expect(outcome()).toEqual({ status: 'overflow', bytes: 6000 });
  });
});
