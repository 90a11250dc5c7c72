import { describe, expect, it } from 'vitest';
import { createByteBoundedLru } from './byte-bounded-lru.ts';

describe('createByteBoundedLru', () => {
  it('evicts the least recently used entries to stay within its byte bound', () => {
    const lru = createByteBoundedLru<string>({ maxBytes: 100, maxEntryBytes: 50 });
    expect(lru.set('a', 'A', 40)).toBe(true);
    expect(lru.set('b', 'B', 40)).toBe(true);
    expect(lru.get('a')).toBe('A'); // a is now the most recent
    expect(lru.set('c', 'C', 30)).toBe(true);
    expect(lru.keys()).toEqual(['a', 'c']);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.bytes()).toBe(70);
  });

  it('does not keep an entry over the per-entry bound, and drops an older value under that key', () => {
    const lru = createByteBoundedLru<string>({ maxBytes: 100, maxEntryBytes: 50 });
    lru.set('a', 'small', 10);
    lru.set('b', 'B', 10);
    expect(lru.set('a', 'huge', 51)).toBe(false);
    expect(lru.get('a')).toBeUndefined();
    expect(lru.keys()).toEqual(['b']);
    expect(lru.bytes()).toBe(10);
  });

  it('replaces a key without counting its bytes twice', () => {
    const lru = createByteBoundedLru<string>({ maxBytes: 100, maxEntryBytes: 100 });
    lru.set('a', 'A1', 60);
    lru.set('a', 'A2', 70);
    expect(lru.bytes()).toBe(70);
    expect(lru.get('a')).toBe('A2');
    lru.delete('a');
    expect(lru.bytes()).toBe(0);
  });
});
