import { describe, expect, it } from 'vitest';
import { isSpkError } from '@spk/common';
import { treeFrontier, type TreeEntries, type TreeLeaf } from './tree-frontier.ts';

const file = (to: string): TreeLeaf => ({ kind: 'link', from: `/store/${to}`, to });

/** Drains the frontier like a writer whose every operation succeeds at once; returns the order. */
function drain(entries: TreeEntries, onlyDirsFirst = true): string[] {
  const frontier = treeFrontier(entries);
  const order: string[] = [];
  for (;;) {
    const dir = frontier.nextDir();
    if (dir !== undefined) {
      order.push(`${dir}/`);
      frontier.created(dir);
      continue;
    }
    const leaf = frontier.nextLeaf();
    if (leaf === undefined) break;
    order.push(leaf.to);
    if (!onlyDirsFirst) break;
  }
  return order;
}

describe('treeFrontier', () => {
  it('hands out every directory and leaf once, each only after its parent directory was created', () => {
    const entries: TreeEntries = {
      dirs: ['node_modules', 'node_modules/a', 'node_modules/a/lib', 'node_modules/b'],
      leaves: [file('node_modules/a/index.js'), file('node_modules/a/lib/x.js'), file('node_modules/b/index.js'), { kind: 'symlink', target: 'x', to: 'node_modules/b/l' }],
    };
    const order = drain(entries);
    expect([...order].sort()).toEqual(['node_modules/', 'node_modules/a/', 'node_modules/a/index.js', 'node_modules/a/lib/', 'node_modules/a/lib/x.js', 'node_modules/b/', 'node_modules/b/index.js', 'node_modules/b/l'].sort());
    for (const [i, item] of order.entries()) {
      const parent = item.replace(/\/$/, '').split('/').slice(0, -1).join('/');
      if (parent !== '') expect(order.indexOf(`${parent}/`)).toBeLessThan(i);
    }
  });

  it('holds back what lies in a directory until that directory is reported created', () => {
    const frontier = treeFrontier({ dirs: ['a', 'a/b'], leaves: [file('a/x'), file('a/b/y')] });
    expect(frontier.nextDir()).toBe('a');
    expect(frontier.nextDir()).toBeUndefined();
    expect(frontier.nextLeaf()).toBeUndefined();
    expect(frontier.readyCount()).toBe(0);
    frontier.created('a');
    expect(frontier.readyCount()).toBe(2);
    expect(frontier.nextLeaf()?.to).toBe('a/x');
    expect(frontier.nextDir()).toBe('a/b');
    expect(frontier.nextLeaf()).toBeUndefined();
  });

  it('takes leaves round-robin across directories, so operations in flight spread over many directories', () => {
    const frontier = treeFrontier({ dirs: ['a', 'b'], leaves: [file('a/1'), file('a/2'), file('a/3'), file('b/1'), file('b/2')] });
    frontier.created(frontier.nextDir()!);
    frontier.created(frontier.nextDir()!);
    const taken = Array.from({ length: 5 }, () => frontier.nextLeaf()!.to);
    expect(taken.slice(0, 4).map((to) => to[0])).toEqual(expect.arrayContaining(['a', 'b', 'a', 'b']));
    expect(taken.slice(0, 4).filter((to) => to.startsWith('a')).length).toBe(2);
    expect(taken.sort()).toEqual(['a/1', 'a/2', 'a/3', 'b/1', 'b/2']);
  });

  it('takes entries in parts: a directory planned again is made once, and leaves of a directory made already are ready at once', () => {
    const frontier = treeFrontier({ dirs: ['node_modules', 'node_modules/a'], leaves: [file('node_modules/a/x')] });
    frontier.created(frontier.nextDir()!);
    frontier.created(frontier.nextDir()!);
    frontier.add({ dirs: ['node_modules', 'node_modules/b'], leaves: [file('node_modules/b/y'), file('node_modules/a/z')] });
    expect(frontier.nextDir()).toBe('node_modules/b');
    expect(frontier.nextDir()).toBeUndefined();
    const ready = [frontier.nextLeaf()?.to, frontier.nextLeaf()?.to].sort();
    expect(ready).toEqual(['node_modules/a/x', 'node_modules/a/z']);
    expect(frontier.nextLeaf()).toBeUndefined();
    frontier.created('node_modules/b');
    expect(frontier.nextLeaf()?.to).toBe('node_modules/b/y');
  });

  it.each([
    ['a directory listed before its parent', { dirs: ['a/b', 'a'], leaves: [] }],
    ['a leaf in no planned directory', { dirs: ['a'], leaves: [file('c/x')] }],
  ])('refuses %s', (_, entries) => {
    try {
      treeFrontier(entries);
      expect.unreachable();
    } catch (error) {
      expect(isSpkError(error, 'INTERNAL')).toBe(true);
    }
  });
});
