import { describe, expect, it } from 'vitest';
import { clairvoyantFloor, firstComeMakespan } from '../../bench/support/schedule-limits';

describe('what the slots alone allow a sweep (bench:discovery)', () => {
  it('first come: each address goes to the slot that frees first, in order', () => {
    expect(firstComeMakespan([1, 1, 1, 1], 2)).toBe(2);
    // The long address queued last finishes last: 1 + 1 on one slot, then 5 on the first free one.
    expect(firstComeMakespan([1, 1, 1, 5], 2)).toBe(6);
    expect(firstComeMakespan([5, 1, 1, 1], 2)).toBe(5);
    expect(firstComeMakespan([], 4)).toBe(0);
  });

  it('the clairvoyant floor: spread work, or k + 1 of the longest k × slots + 1 addresses sharing a slot', () => {
    expect(clairvoyantFloor([1, 1, 1, 1], 2)).toBe(2);
    expect(clairvoyantFloor([5, 1, 1, 1], 2)).toBe(5); // the longest alone
    expect(clairvoyantFloor([5, 5, 5, 1], 2)).toBe(10); // three long ones on two slots
  });

  it('issue 5 sweep shape: 200 of 1,000 addresses hang every fifth; the even spread is out of reach', () => {
    const durations = Array.from({ length: 1022 }, (_, i) => (i >= 1000 ? 0.08 : i % 5 === 0 ? 5.08 : 0.146));
    const even = durations.reduce((n, d) => n + d, 0) / 64;
    expect(even).toBeCloseTo(17.7, 1);
    expect(clairvoyantFloor(durations, 64)).toBeCloseTo(4 * 5.08, 5); // 200 hanging on 64 slots: one slot holds 4
    const firstCome = firstComeMakespan(durations, 64);
    expect(firstCome).toBeGreaterThan(clairvoyantFloor(durations, 64));
    expect(firstCome / even).toBeGreaterThan(1.19);
  });
});
