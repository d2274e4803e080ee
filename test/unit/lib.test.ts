import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapBounded, withDeadline } from '../../shared/lib/async';
import { writeFileAtomic } from '../../shared/lib/atomic-file';

describe('mapBounded', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const done = mapBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n, i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
      return `${n}@${i}`;
    });
    // Release the waiting calls one by one, latest first, until all have run.
    while (gates.length || running) {
      await new Promise((r) => setImmediate(r));
      gates.pop()?.();
    }
    expect(await done).toEqual(['1@0', '2@1', '3@2', '4@3', '5@4', '6@5', '7@6']);
    expect(peak).toBe(3);
  });

  it('an empty list gives an empty result; a failure rejects', async () => {
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
    await expect(mapBounded([1, 2], 2, async (n) => (n === 2 ? Promise.reject(new Error('two')) : n))).rejects.toThrow('two');
  });
});

describe('withDeadline', () => {
  it("gives the work's value when it settles first, and its rejection", async () => {
    expect(await withDeadline(Promise.resolve('done'), 60_000, () => 'late')).toBe('done');
    await expect(withDeadline(Promise.reject(new Error('boom')), 60_000, () => 'late')).rejects.toThrow('boom');
  });

  it("gives onTimeout's value, or its error, when the work does not settle in time", async () => {
    const never = new Promise<string>(() => undefined);
    expect(await withDeadline(never, 1, () => 'late')).toBe('late');
    await expect(
      withDeadline(never, 1, () => {
        throw new Error('too slow');
      }),
    ).rejects.toThrow('too slow');
  });
});

describe('writeFileAtomic', () => {
  it('replaces the content whole, with the given mode, and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eio-atomic-'));
    const file = join(dir, 'sub', 'state.json');
    await writeFileAtomic(file, 'first');
    await writeFileAtomic(file, Buffer.from('second'), { mode: 0o600 });
    expect(await readFile(file, 'utf8')).toBe('second');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'sub'))).toEqual(['state.json']);
  });
});
