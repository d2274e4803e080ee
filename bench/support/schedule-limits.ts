/**
 * What the slots alone allow a sweep, before any overhead: addresses are indivisible, so spreading their
 * work evenly over the slots (the ideal bound) is a fluid figure that no schedule may reach.
 */

/**
 * Makespan when each address goes to the next free slot in the given order and takes exactly `durations[i]`:
 * the sweep with zero overhead, by a scheduler that cannot know which addresses will hang (nobody can).
 */
export function firstComeMakespan(durations: readonly number[], slots: number): number {
  const free = new Array<number>(slots).fill(0);
  let end = 0;
  for (const d of durations) {
    let soonest = 0;
    for (let s = 1; s < slots; s++) if (free[s]! < free[soonest]!) soonest = s;
    free[soonest]! += d;
    end = Math.max(end, free[soonest]!);
  }
  return end;
}

/**
 * A floor under every schedule, even one that knows each address's duration in advance: the work spread
 * evenly, and for each k, k × slots + 1 of the longest addresses put k + 1 of them on one slot.
 */
export function clairvoyantFloor(durations: readonly number[], slots: number): number {
  const sorted = [...durations].sort((a, b) => b - a);
  let floor = sorted.reduce((n, d) => n + d, 0) / slots;
  for (let k = 0; k * slots < sorted.length; k++) floor = Math.max(floor, (k + 1) * sorted[k * slots]!);
  return floor;
}
