import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SCRIPT,
  DEFAULT_SETTINGS,
  loadScript,
  loadSettings,
  saveScript,
  saveSettings,
  SCRIPT_STORAGE_KEY,
  SETTINGS_STORAGE_KEY,
} from './script-storage.ts';

/** A real Storage-shaped map: the unit project runs in Node, which has no localStorage of its own here. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  };
}

const original = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');

beforeEach(() => {
  Object.defineProperty(globalThis, 'localStorage', { value: memoryStorage(), configurable: true, writable: true });
});
afterEach(() => {
  if (original) Object.defineProperty(globalThis, 'localStorage', original);
  else Reflect.deleteProperty(globalThis, 'localStorage');
});

describe('script storage', () => {
  it('offers the example script until one is saved, then restores the saved one', () => {
    expect(loadScript()).toBe(DEFAULT_SCRIPT);
    saveScript('export default 42;\n');
    expect(localStorage.getItem(SCRIPT_STORAGE_KEY)).toBe('export default 42;\n');
    expect(loadScript()).toBe('export default 42;\n');
  });

  it('keeps an emptied script empty rather than bringing the example back', () => {
    saveScript('');
    expect(loadScript()).toBe('');
  });

  it('restores the filename and timeout, and falls back to the defaults for unreadable settings', () => {
    expect(loadSettings()).toEqual(DEFAULT_SETTINGS);
    saveSettings({ filename: 'script.cjs', timeoutSeconds: '90' });
    expect(loadSettings()).toEqual({ filename: 'script.cjs', timeoutSeconds: '90' });
    localStorage.setItem(SETTINGS_STORAGE_KEY, '{"filename":"../etc/passwd","timeoutSeconds":"5"}');
    expect(loadSettings()).toEqual(DEFAULT_SETTINGS);
    localStorage.setItem(SETTINGS_STORAGE_KEY, 'not json');
    expect(loadSettings()).toEqual(DEFAULT_SETTINGS);
  });

  it('still works where storage is unavailable', () => {
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get() {
        throw new Error('SecurityError: storage is disabled');
      },
    });
    expect(loadScript()).toBe(DEFAULT_SCRIPT);
    expect(() => saveScript('x')).not.toThrow();
    expect(loadSettings()).toEqual(DEFAULT_SETTINGS);
  });
});
