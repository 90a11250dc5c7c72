import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SpkError } from '@spk/common';
import type { OpenedBlob } from '../blob-stores/published-blob.ts';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import { createBlobServingCache, type SharedBlob } from './blob-serving-cache.ts';

/** A store whose reads the test feeds by hand, counting how often each blob is opened. */
function handFedStore(sizes: Record<string, number>) {
  const opens: string[] = [];
  const streams: PassThrough[] = [];
  return {
    opens,
    streams,
    async open(integrity: string): Promise<OpenedBlob | null> {
      opens.push(integrity);
      const size = sizes[integrity];
      if (size === undefined) return null;
      const stream = new PassThrough();
      streams.push(stream);
      return { size, stream };
    },
  };
}

async function collect(blob: SharedBlob): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of blob.chunks()) parts.push(chunk);
  return Buffer.concat(parts);
}

const damaged = () => new SpkError('INTEGRITY_MISMATCH', 'the published blob is damaged');

describe('blob serving cache', () => {
  it('shares one read among concurrent requests, replays it to late joiners, then serves from memory', async () => {
    const store = handFedStore({ a: 6 });
    const cache = createBlobServingCache({ open: store.open, logger: memoryLogger([]) });
    const early = await Promise.all(Array.from({ length: 20 }, () => cache.open('a')));
    const readers = early.map((blob) => collect(blob!));
    store.streams[0]!.write(Buffer.from('abc'));
    await new Promise((resolve) => setImmediate(resolve));
    const late = await cache.open('a');
    store.streams[0]!.end(Buffer.from('def'));
    expect((await Promise.all([...readers, collect(late!)])).map(String)).toEqual(Array(21).fill('abcdef'));
    expect(String(await (await cache.open('a'))!.whole())).toBe('abcdef');
    expect(store.opens).toEqual(['a']);
    expect(cache.held()).toEqual({ bytes: 6, integrities: ['a'] });
  });

  it('hands a failed read to every waiter, keeps nothing, and reads again on the next request', async () => {
    const lines: LogLine[] = [];
    const logger = memoryLogger(lines);
    const store = handFedStore({ a: 6 });
    const cache = createBlobServingCache({ open: store.open, logger });
    const blobs = await Promise.all([cache.open('a'), cache.open('a')]);
    const streamed = collect(blobs[0]!);
    const whole = blobs[1]!.whole();
    store.streams[0]!.write(Buffer.from('abc'));
    store.streams[0]!.destroy(damaged());
    await expect(streamed).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
    await expect(whole).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
    // A request arriving after the failure gets it before any byte.
    const first = blobs[0]!.chunks()[Symbol.asyncIterator]().next();
    await expect(first).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.held().integrities).toEqual([]);
    expect(lines.filter((line) => line.level === 'error')).toHaveLength(1);

    const again = cache.open('a');
    await new Promise((resolve) => setImmediate(resolve));
    store.streams[1]!.end(Buffer.from('abcdef'));
    expect(String(await (await again)!.whole())).toBe('abcdef');
    expect(store.opens).toEqual(['a', 'a']);
  });

  it('does not remember a missing blob, so one published later is served', async () => {
    const sizes: Record<string, number> = {};
    const store = handFedStore(sizes);
    const cache = createBlobServingCache({ open: store.open, logger: memoryLogger([]) });
    expect(await cache.open('a')).toBeNull();
    sizes.a = 1;
    const later = cache.open('a');
    await new Promise((resolve) => setImmediate(resolve));
    store.streams[0]!.end(Buffer.from('x'));
    expect(String(await (await later)!.whole())).toBe('x');
  });

  it('shares a blob over the per-entry bound while in flight but does not keep it', async () => {
    const store = handFedStore({ big: 8, small: 2 });
    const cache = createBlobServingCache({ open: store.open, logger: memoryLogger([]) }, { maxBytes: 16, maxEntryBytes: 4 });
    const both = Promise.all([cache.open('big'), cache.open('big'), cache.open('small')]);
    await new Promise((resolve) => setImmediate(resolve));
    store.streams[0]!.end(Buffer.from('01234567'));
    store.streams[1]!.end(Buffer.from('ok'));
    const [one, two, small] = await both;
    expect([String(await one!.whole()), String(await two!.whole()), String(await small!.whole())]).toEqual(['01234567', '01234567', 'ok']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.held()).toEqual({ bytes: 2, integrities: ['small'] });
    void cache.open('big');
    expect(store.opens).toEqual(['big', 'small', 'big']);
  });
});
