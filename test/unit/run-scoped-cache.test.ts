import { describe, expect, it } from 'vitest';
import { RunScopedCache } from '../../shared/usecases/run-scoped-cache';

describe('RunScopedCache (a run reads its site and credential once every few seconds)', () => {
  const setup = (ttlMs = 1_000, max = 256) => {
    let now = 0;
    const cache = new RunScopedCache<string>(ttlMs, max, () => now);
    const loads: string[] = [];
    const load = (value: string) => () => {
      loads.push(value);
      return Promise.resolve(value);
    };
    return { cache, loads, load, advance: (ms: number) => (now += ms) };
  };

  it('loads once within the TTL, and again after it', async () => {
    const { cache, loads, load, advance } = setup();
    expect(await cache.get('run-1', 'site-a', load('v1'))).toBe('v1');
    advance(999);
    expect(await cache.get('run-1', 'site-a', load('v2'))).toBe('v1');
    advance(1);
    expect(await cache.get('run-1', 'site-a', load('v3'))).toBe('v3');
    expect(loads).toEqual(['v1', 'v3']);
  });

  it('never shares an entry between runs or keys', async () => {
    const { cache, loads, load } = setup();
    await cache.get('run-1', 'site-a', load('a1'));
    expect(await cache.get('run-2', 'site-a', load('a2'))).toBe('a2');
    expect(await cache.get('run-1', 'site-b', load('b1'))).toBe('b1');
    expect(loads).toEqual(['a1', 'a2', 'b1']);
  });

  it('shares one load between concurrent readers', async () => {
    const { cache } = setup();
    let calls = 0;
    let release!: (v: string) => void;
    const slow = () => {
      calls++;
      return new Promise<string>((r) => (release = r));
    };
    const both = Promise.all([cache.get('run-1', 'k', slow), cache.get('run-1', 'k', slow)]);
    release('once');
    expect(await both).toEqual(['once', 'once']);
    expect(calls).toBe(1);
  });

  it('does not keep a failed load: the next reader tries again', async () => {
    const { cache, load } = setup();
    await expect(cache.get('run-1', 'k', () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(await cache.get('run-1', 'k', load('recovered'))).toBe('recovered');
  });

  it('holds at most maxEntries, dropping the oldest', async () => {
    const { cache, loads, load } = setup(60_000, 2);
    await cache.get('r', 'a', load('a'));
    await cache.get('r', 'b', load('b'));
    await cache.get('r', 'c', load('c'));
    await cache.get('r', 'b', load('b again'));
    await cache.get('r', 'a', load('a again'));
    expect(loads).toEqual(['a', 'b', 'c', 'a again']);
  });
});
