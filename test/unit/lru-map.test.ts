/**
 * The bounded map behind the iDRAC client's per-address knowledge (where each iDRAC answers for its jobs,
 * learned certificates): at most `max` entries, the least recently used forgotten first.
 */
import { describe, expect, it } from 'vitest';
import { LruMap } from '../../shared/lib/lru-map';

describe('LruMap', () => {
  it('keeps at most max entries, forgetting the least recently used; a read counts as a use', () => {
    const map = new LruMap<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c'].entries()) map.set(key, i);
    expect(map.get('a')).toBe(0); // a is now the most recent: b is the oldest
    map.set('d', 3);
    expect(map.size).toBe(3);
    expect(map.get('b')).toBeUndefined();
    expect([map.get('a'), map.get('c'), map.get('d')]).toEqual([0, 2, 3]);
  });

  it('writing a known key replaces its value without growing, and makes it the most recent', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 10);
    map.set('c', 3);
    expect(map.size).toBe(2);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([10, undefined, 3]);
  });

  it('ten thousand addresses through a map of 4,096 leave 4,096', () => {
    const map = new LruMap<string, string>(4_096);
    for (let i = 0; i < 10_000; i++) map.set(`10.0.${i >> 8}.${i & 255}`, 'redfish');
    expect(map.size).toBe(4_096);
    expect(map.get('10.0.39.15')).toBe('redfish'); // the last one written (9,999)
    expect(map.get('10.0.0.0')).toBeUndefined();
  });
});
