import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConditionFailedError, InvalidCursorError, type Item, type QueryInput, type Store } from '../../shared/ports/store';
import type { StoreUnderTest } from '../support/stores';

/**
 * The Store contract, run against every implementation (MemoryStore, dynalite, DynamoDB Local). Each test
 * writes under its own partition keys, so one store serves the whole suite.
 */
export function storeContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: Store;
    const run = randomUUID().slice(0, 8);
    let n = 0;
    /** A partition key no other test uses. */
    const fresh = (label: string) => `${label}#${run}#${++n}`;

    beforeAll(async () => {
      subject = await makeStore();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    /** Follows cursors to the end; returns every page. */
    async function allPages(input: Omit<QueryInput, 'cursor'>): Promise<Item[][]> {
      const pages: Item[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.query({ ...input, cursor });
        pages.push(page.items);
        cursor = page.cursor;
        if (pages.length > 100) throw new Error('paging did not terminate');
      } while (cursor);
      return pages;
    }
    const sks = (items: Item[]) => items.map((i) => i.sk);

    describe('get and put', () => {
      it('round-trips nested maps, lists, numbers, booleans and null', async () => {
        const item = {
          pk: fresh('rt'),
          sk: 'meta',
          name: 'esx-01 ✓',
          empty_text: '',
          count: 42,
          negative: -7,
          ratio: 0.125,
          big: 2 ** 40,
          enabled: true,
          disabled: false,
          nothing: null,
          tags: ['a', 'b', 'a'],
          mixed: [1, 'two', { three: 3 }, [4], false],
          empty_list: [],
          empty_map: {},
          nested: { cpu: { cores: 16, ghz: 2.6 }, nics: [{ mac: '00:11:22:33:44:55', up: true }] },
        };
        await store.put(item);
        expect(await store.get({ pk: item.pk, sk: item.sk })).toEqual(item);
      });

      it('drops undefined attributes instead of failing', async () => {
        const key = { pk: fresh('undef'), sk: 'meta' };
        await store.put({ ...key, kept: 1, gone: undefined, inner: { kept: 2, gone: undefined } });
        const stored = await store.get(key);
        expect(stored).toEqual({ ...key, kept: 1, inner: { kept: 2 } });
        expect(stored).not.toHaveProperty('gone');
      });

      it('keeps what was stored when the caller later mutates its object', async () => {
        const item = { pk: fresh('copy'), sk: 'meta', list: [1], map: { a: 1 } };
        await store.put(item);
        item.list.push(2);
        item.map.a = 99;
        const read = await store.get(item);
        expect(read).toMatchObject({ list: [1], map: { a: 1 } });
      });

      it('returns undefined for a missing key', async () => {
        expect(await store.get({ pk: fresh('missing'), sk: 'meta' })).toBeUndefined();
      });

      it('replaces the whole record on an unconditional put', async () => {
        const key = { pk: fresh('replace'), sk: 'meta' };
        await store.put({ ...key, a: 1, b: 2 });
        await store.put({ ...key, a: 3 });
        expect(await store.get(key)).toEqual({ ...key, a: 3 });
      });

      it('distinguishes records by sort key within a partition', async () => {
        const pk = fresh('multi');
        await store.put({ pk, sk: 'a', v: 1 });
        await store.put({ pk, sk: 'b', v: 2 });
        expect(await store.get({ pk, sk: 'a' })).toMatchObject({ v: 1 });
        expect(await store.get({ pk, sk: 'b' })).toMatchObject({ v: 2 });
      });

      it('rejects empty or non-string key attributes, as DynamoDB does', async () => {
        const key = { pk: fresh('badkey'), sk: 'meta' };
        // dynalite alone would store an empty index key; the adapter must not let that pass locally.
        await expect(store.put({ ...key, gsi1pk: '', gsi1sk: 'x' })).rejects.toThrow(TypeError);
        await expect(store.put({ ...key, gsi2pk: 'g', gsi2sk: 7 })).rejects.toThrow(TypeError);
        await expect(store.put({ pk: key.pk, sk: '' })).rejects.toThrow(TypeError);
        expect(await store.query({ pk: key.pk, limit: 10 })).toEqual({ items: [] });
      });
    });

    describe('putMany', () => {
      it('does nothing for no items', async () => {
        await expect(store.putMany([])).resolves.toBeUndefined();
      });

      it('writes more than two batches, readable by get, table query and GSI query', async () => {
        const pk = fresh('many');
        const group = fresh('many-group');
        const items = Array.from({ length: 60 }, (_, i) => {
          const sk = `obs#${String(i).padStart(3, '0')}`;
          return { pk, sk, n: i, nested: { even: i % 2 === 0 }, gsi1pk: group, gsi1sk: sk };
        });
        // Reversed, so the store and not the write order sorts.
        await store.putMany([...items].reverse());
        expect(await store.get({ pk, sk: 'obs#000' })).toEqual(items[0]);
        expect(await store.get({ pk, sk: 'obs#059' })).toEqual(items[59]);
        expect((await allPages({ pk, limit: 100 })).flat()).toEqual(items);
        const indexed = (await allPages({ index: 'gsi1', pk: group, limit: 100 })).flat();
        expect(indexed).toEqual(items);
      });

      it('overwrites existing records unconditionally', async () => {
        const key = { pk: fresh('many-over'), sk: 'meta' };
        await store.put({ ...key, version: 3, kept: 'no' });
        await store.putMany([{ ...key, version: 1, state: 'new' }]);
        expect(await store.get(key)).toEqual({ ...key, version: 1, state: 'new' });
      });

      it('keeps the last item when one call carries a key twice', async () => {
        const pk = fresh('many-dup');
        const items = Array.from({ length: 30 }, (_, i) => ({ pk, sk: `k#${i % 3}`, v: i }));
        await store.putMany(items);
        expect((await store.query({ pk, limit: 10 })).items).toEqual([
          { pk, sk: 'k#0', v: 27 },
          { pk, sk: 'k#1', v: 28 },
          { pk, sk: 'k#2', v: 29 },
        ]);
      });

      it('rejects an invalid key before writing any item', async () => {
        const pk = fresh('many-bad');
        await expect(
          store.putMany([
            { pk, sk: 'a' },
            { pk, sk: 'b', gsi1pk: '', gsi1sk: 'x' },
          ]),
        ).rejects.toThrow(TypeError);
        expect(await store.query({ pk, limit: 10 })).toEqual({ items: [] });
      });
    });

    describe('query with attributes', () => {
      it('returns only the keys and the named attributes, and pages through them on the table and a GSI', async () => {
        const pk = fresh('projected');
        const items = Array.from({ length: 7 }, (_, i) => ({
          pk,
          sk: `k#${i}`,
          hash: `h${i}`,
          data: { big: 'x'.repeat(100) },
          gsi1pk: pk,
          gsi1sk: `g${i}`,
        }));
        await store.putMany(items);
        const pages = await allPages({ pk, limit: 3, attributes: ['hash', 'absent'] });
        expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
        expect(pages.flat()).toEqual(items.map(({ pk: p, sk, hash }) => ({ pk: p, sk, hash })));
        const indexed = (await allPages({ index: 'gsi1', pk, limit: 3, attributes: ['hash'] })).flat();
        expect(indexed).toEqual(items.map(({ pk: p, sk, hash }) => ({ pk: p, sk, hash })));
      });
    });

    describe('getMany and deleteMany', () => {
      it('does nothing for no keys', async () => {
        await expect(store.getMany([])).resolves.toEqual([]);
        await expect(store.deleteMany([])).resolves.toBeUndefined();
      });

      it('reads more than two batches of keys, leaving out keys without an item and reading a repeated key once', async () => {
        const pk = fresh('getmany');
        const items = Array.from({ length: 230 }, (_, i) => ({ pk, sk: `k#${String(i).padStart(3, '0')}`, n: i, nested: { i } }));
        await store.putMany(items);
        const keys = [...items, ...items.slice(0, 5)].map(({ pk: p, sk }) => ({ pk: p, sk }));
        keys.push({ pk, sk: 'absent#1' }, { pk: fresh('getmany-absent'), sk: 'meta' });
        const read = await store.getMany(keys);
        expect([...read].sort((a, b) => a.sk.localeCompare(b.sk))).toEqual(items);
      });

      it('deletes more than two batches, keeps the items not named, and a missing key is no error', async () => {
        const pk = fresh('deletemany');
        const items = Array.from({ length: 60 }, (_, i) => ({ pk, sk: `k#${String(i).padStart(2, '0')}`, gsi1pk: pk, gsi1sk: `${i}` }));
        await store.putMany(items);
        const gone = items.filter((_, i) => i % 3 !== 0);
        await store.deleteMany([...gone, { pk, sk: 'never-written' }].map(({ pk: p, sk }) => ({ pk: p, sk })));
        const kept = items.filter((_, i) => i % 3 === 0);
        expect((await allPages({ pk, limit: 100 })).flat()).toEqual(kept);
        expect((await allPages({ index: 'gsi1', pk, limit: 100 })).flat()).toHaveLength(kept.length);
      });
    });

    describe('conditions', () => {
      it('absent: creates once, then refuses with ConditionFailedError and keeps the first record', async () => {
        const key = { pk: fresh('absent'), sk: 'meta' };
        await store.put({ ...key, owner: 'first' }, { kind: 'absent' });
        const second = store.put({ ...key, owner: 'second' }, { kind: 'absent' });
        await expect(second).rejects.toBeInstanceOf(ConditionFailedError);
        await expect(second).rejects.toMatchObject({ key });
        expect(await store.get(key)).toMatchObject({ owner: 'first' });
      });

      it('version: of two writers that read version 1, exactly one wins', async () => {
        const key = { pk: fresh('version'), sk: 'meta' };
        await store.put({ ...key, version: 1, state: 'queued' });
        const writers = ['running', 'cancelled'].map((state) => store.put({ ...key, version: 2, state }, { kind: 'version', version: 1 }));
        const results = await Promise.allSettled(writers);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]?.reason).toBeInstanceOf(ConditionFailedError);
        const winner = results[0]?.status === 'fulfilled' ? 'running' : 'cancelled';
        expect(await store.get(key)).toMatchObject({ version: 2, state: winner });
      });

      it('version: refuses a stale version and a missing record', async () => {
        const key = { pk: fresh('stale'), sk: 'meta' };
        await store.put({ ...key, version: 3 });
        await expect(store.put({ ...key, version: 3 }, { kind: 'version', version: 2 })).rejects.toBeInstanceOf(ConditionFailedError);
        const missing = { pk: fresh('stale-missing'), sk: 'meta' };
        await expect(store.put({ ...missing, version: 2 }, { kind: 'version', version: 1 })).rejects.toBeInstanceOf(ConditionFailedError);
        expect(await store.get(missing)).toBeUndefined();
        await store.put({ ...key, version: 4 }, { kind: 'version', version: 3 });
        expect(await store.get(key)).toMatchObject({ version: 4 });
      });

      it('present: updates an existing record, refuses to create a missing one', async () => {
        const key = { pk: fresh('present'), sk: 'meta' };
        await expect(store.put({ ...key, v: 1 }, { kind: 'present' })).rejects.toBeInstanceOf(ConditionFailedError);
        expect(await store.get(key)).toBeUndefined();
        await store.put({ ...key, v: 1 });
        await store.put({ ...key, v: 2 }, { kind: 'present' });
        expect(await store.get(key)).toMatchObject({ v: 2 });
      });
    });

    describe('add (atomic counters)', () => {
      it('adds to counters without a read, bumps the version, and keeps other attributes', async () => {
        const key = { pk: fresh('add'), sk: 'meta' };
        await store.put({ ...key, version: 3, probed: 2, label: 'kept' });
        expect(await store.add(key, { probed: 5, found: 1 }, { set: { updated_at: '2026-11-23T14:00:00Z' } })).toEqual({
          probed: 7,
          found: 1,
          version: 4,
        });
        expect(await store.get(key)).toMatchObject({ version: 4, probed: 7, found: 1, label: 'kept', updated_at: '2026-11-23T14:00:00Z' });
      });

      it('loses no increment when many writers add at once', async () => {
        const key = { pk: fresh('add-many'), sk: 'meta' };
        await store.put({ ...key, version: 1, probed: 0 });
        await Promise.all(Array.from({ length: 40 }, () => store.add(key, { probed: 1 })));
        expect(await store.get(key)).toMatchObject({ probed: 40, version: 41 });
      });

      it('once: counts each token a single time, even when the same token is added concurrently', async () => {
        const key = { pk: fresh('add-once'), sk: 'meta' };
        await store.put({ ...key, version: 1, probed: 0 });
        const results = await Promise.all(
          ['a', 'b', 'a', 'c', 'b', 'a'].map((token) => store.add(key, { probed: 1 }, { once: { set: 'counted', token } })),
        );
        expect(results.filter((r) => r === undefined)).toHaveLength(3);
        const after = await store.get(key);
        expect(after).toMatchObject({ probed: 3, version: 4 });
        expect([...((after?.counted as Set<string> | undefined) ?? [])].sort()).toEqual(['a', 'b', 'c']);
      });

      it('refuses to add to a missing record, with or without a token', async () => {
        const key = { pk: fresh('add-missing'), sk: 'meta' };
        await expect(store.add(key, { probed: 1 })).rejects.toBeInstanceOf(ConditionFailedError);
        await expect(store.add(key, { probed: 1 }, { once: { set: 'counted', token: 'a' } })).rejects.toBeInstanceOf(ConditionFailedError);
        expect(await store.get(key)).toBeUndefined();
      });

      it('a record that went through add can still be replaced under its new version', async () => {
        const key = { pk: fresh('add-then-put'), sk: 'meta' };
        await store.put({ ...key, version: 1, probed: 0 });
        await store.add(key, { probed: 1 }, { once: { set: 'counted', token: 'x' } });
        const current = (await store.get(key))!;
        await store.put({ ...current, status: 'done', version: 3 }, { kind: 'version', version: 2 });
        const after = await store.get(key);
        expect(after).toMatchObject({ status: 'done', probed: 1, version: 3 });
        expect(await store.add(key, { probed: 1 }, { once: { set: 'counted', token: 'x' } })).toBeUndefined();
      });
    });

    describe('delete', () => {
      it('deletes unconditionally, and deleting a missing record is not an error', async () => {
        const key = { pk: fresh('del'), sk: 'meta' };
        await store.put({ ...key, v: 1 });
        await store.delete(key);
        expect(await store.get(key)).toBeUndefined();
        await expect(store.delete(key)).resolves.toBeUndefined();
      });

      it('deletes only when the version condition holds', async () => {
        const key = { pk: fresh('del-version'), sk: 'meta' };
        await store.put({ ...key, version: 5 });
        await expect(store.delete(key, { kind: 'version', version: 4 })).rejects.toBeInstanceOf(ConditionFailedError);
        expect(await store.get(key)).toMatchObject({ version: 5 });
        await store.delete(key, { kind: 'version', version: 5 });
        expect(await store.get(key)).toBeUndefined();
      });

      it('present: refuses to delete a missing record', async () => {
        const key = { pk: fresh('del-present'), sk: 'meta' };
        await expect(store.delete(key, { kind: 'present' })).rejects.toBeInstanceOf(ConditionFailedError);
        await store.put(key);
        await store.delete(key, { kind: 'present' });
        expect(await store.get(key)).toBeUndefined();
      });

      it('deletes by key only, whatever else the passed object carries', async () => {
        const key = { pk: fresh('del-item'), sk: 'meta' };
        await store.put({ ...key, v: 1 });
        await store.delete({ ...key, v: 1 } as Item);
        expect(await store.get(key)).toBeUndefined();
      });
    });

    describe('query on the table', () => {
      const pk = fresh('q');
      const sortKeys = ['job#001', 'job#002', 'job#010', 'jobs', 'step#001', 'step#002', 'meta'];
      beforeAll(async () => {
        // Inserted out of order: the store, not insertion order, sorts.
        for (const sk of [...sortKeys].reverse()) await store.put({ pk, sk, v: sk });
        await store.put({ pk: fresh('q-other'), sk: 'job#001' });
      });

      it('returns the partition sorted by sort key', async () => {
        const page = await store.query({ pk, limit: 100 });
        expect(sks(page.items)).toEqual([...sortKeys].sort());
        expect(page.items[0]).toEqual({ pk, sk: 'job#001', v: 'job#001' });
        expect(page.cursor).toBeUndefined();
      });

      it('restricts to a sort key prefix', async () => {
        const page = await store.query({ pk, skPrefix: 'job#', limit: 100 });
        expect(sks(page.items)).toEqual(['job#001', 'job#002', 'job#010']);
      });

      it('restricts to an inclusive sort key range', async () => {
        const page = await store.query({ pk, skBetween: ['job#002', 'step#001'], limit: 100 });
        expect(sks(page.items)).toEqual(['job#002', 'job#010', 'jobs', 'meta', 'step#001']);
      });

      it('treats an empty prefix as no prefix', async () => {
        // DynamoDB Local refuses begins_with(sk, ''); dynalite accepts it. Neither may reach the engine.
        const page = await store.query({ pk, skPrefix: '', limit: 100 });
        expect(page.items).toHaveLength(sortKeys.length);
      });

      it('returns newest first when descending', async () => {
        const page = await store.query({ pk, skPrefix: 'step#', descending: true, limit: 100 });
        expect(sks(page.items)).toEqual(['step#002', 'step#001']);
      });

      it('returns an empty page for an unknown partition', async () => {
        const page = await store.query({ pk: fresh('nobody'), limit: 10 });
        expect(page).toEqual({ items: [] });
      });

      it('orders sort keys by UTF-8 bytes, as DynamoDB does', async () => {
        const utf8pk = fresh('utf8');
        // UTF-16 order would put the emoji (a surrogate pair, 0xD83D…) before U+FFFF; UTF-8 puts it after.
        for (const sk of ['k-\u{1F600}', 'k-\uFFFF', 'k-z']) await store.put({ pk: utf8pk, sk });
        const page = await store.query({ pk: utf8pk, limit: 10 });
        expect(sks(page.items)).toEqual(['k-z', 'k-\uFFFF', 'k-\u{1F600}']);
      });

      it('rejects a limit below 1 and a query with both prefix and range', async () => {
        await expect(store.query({ pk, limit: 0 })).rejects.toThrow(RangeError);
        await expect(store.query({ pk, skPrefix: 'job#', skBetween: ['a', 'b'], limit: 1 })).rejects.toThrow(RangeError);
      });
    });

    describe('paging', () => {
      const pk = fresh('page');
      const all = Array.from({ length: 25 }, (_, i) => `item#${String(i).padStart(3, '0')}`);
      beforeAll(async () => {
        for (const sk of all) await store.put({ pk, sk });
      });

      it('visits every item exactly once, in order, across pages of at most `limit`', async () => {
        const pages = await allPages({ pk, limit: 7 });
        expect(pages.every((p) => p.length <= 7)).toBe(true);
        expect(pages.slice(0, 3).map((p) => p.length)).toEqual([7, 7, 7]);
        expect(sks(pages.flat())).toEqual(all);
      });

      it('pages descending too', async () => {
        const pages = await allPages({ pk, limit: 7, descending: true });
        expect(sks(pages.flat())).toEqual([...all].reverse());
      });

      it('pages within a sort key range', async () => {
        const pages = await allPages({ pk, skBetween: ['item#005', 'item#014'], limit: 4 });
        expect(sks(pages.flat())).toEqual(all.slice(5, 15));
      });

      it('resumes after the cursor even if that item was deleted meanwhile', async () => {
        const own = fresh('page-del');
        for (const sk of ['a', 'b', 'c', 'd']) await store.put({ pk: own, sk });
        const first = await store.query({ pk: own, limit: 2 });
        expect(sks(first.items)).toEqual(['a', 'b']);
        await store.delete({ pk: own, sk: 'b' });
        const rest = await store.query({ pk: own, limit: 10, cursor: first.cursor });
        expect(sks(rest.items)).toEqual(['c', 'd']);
      });
    });

    describe('query on the GSIs', () => {
      const site = fresh('site');
      beforeAll(async () => {
        // Host records of several partitions, listed per site through gsi1 and per state through gsi2.
        await store.put({ pk: fresh('host'), sk: 'meta', name: 'h3', gsi1pk: site, gsi1sk: 'host#h3' });
        await store.put({ pk: fresh('host'), sk: 'meta', name: 'h1', gsi1pk: site, gsi1sk: 'host#h1' });
        await store.put({
          pk: fresh('host'),
          sk: 'meta',
          name: 'h2',
          gsi1pk: site,
          gsi1sk: 'host#h2',
          gsi2pk: `${site}#maintenance`,
          gsi2sk: '2026-01-02T00:00:00Z',
        });
        await store.put({ pk: fresh('host'), sk: 'meta', name: 'vm', gsi1pk: site, gsi1sk: 'vm#v1' });
        // Not in gsi1: no gsi1 keys at all, or only half of them.
        await store.put({ pk: fresh('host'), sk: 'meta', name: 'none' });
        await store.put({ pk: fresh('host'), sk: 'meta', name: 'half', gsi1pk: site });
        await store.put({
          pk: fresh('host'),
          sk: 'meta',
          name: 'h4',
          gsi2pk: `${site}#maintenance`,
          gsi2sk: '2026-01-01T00:00:00Z',
        });
      });

      it('queries gsi1 by its keys, sorted by gsi1sk, leaving out items without gsi1 keys', async () => {
        const page = await store.query({ index: 'gsi1', pk: site, limit: 100 });
        expect(page.items.map((i) => i.name)).toEqual(['h1', 'h2', 'h3', 'vm']);
        expect(page.items[1]).toMatchObject({ sk: 'meta', gsi2pk: `${site}#maintenance` });
      });

      it('applies prefix and descending order on gsi1sk', async () => {
        const page = await store.query({ index: 'gsi1', pk: site, skPrefix: 'host#', descending: true, limit: 100 });
        expect(page.items.map((i) => i.name)).toEqual(['h3', 'h2', 'h1']);
      });

      it('queries gsi2 independently of gsi1', async () => {
        const page = await store.query({ index: 'gsi2', pk: `${site}#maintenance`, limit: 100 });
        expect(page.items.map((i) => i.name)).toEqual(['h4', 'h2']);
        const none = await store.query({ index: 'gsi2', pk: site, limit: 100 });
        expect(none.items).toEqual([]);
      });

      it('does not answer a table query from index keys', async () => {
        const page = await store.query({ pk: site, limit: 100 });
        expect(page.items).toEqual([]);
      });

      it('pages through items that share one index sort key, each exactly once', async () => {
        const group = fresh('tie');
        const pks = Array.from({ length: 10 }, () => fresh('tied'));
        for (const p of pks) await store.put({ pk: p, sk: 'meta', gsi2pk: group, gsi2sk: 'same' });
        const pages = await allPages({ index: 'gsi2', pk: group, limit: 3 });
        const seen = pages.flat().map((i) => i.pk);
        expect(seen).toHaveLength(10);
        expect(new Set(seen)).toEqual(new Set(pks));
      });

      it('reflects updates and deletes in the index', async () => {
        const key = { pk: fresh('moving'), sk: 'meta' };
        const from = fresh('site-from');
        const to = fresh('site-to');
        await store.put({ ...key, gsi1pk: from, gsi1sk: 'x' });
        await store.put({ ...key, gsi1pk: to, gsi1sk: 'x' });
        expect((await store.query({ index: 'gsi1', pk: from, limit: 10 })).items).toEqual([]);
        expect((await store.query({ index: 'gsi1', pk: to, limit: 10 })).items).toHaveLength(1);
        await store.delete(key);
        expect((await store.query({ index: 'gsi1', pk: to, limit: 10 })).items).toEqual([]);
      });
    });

    describe('cursors', () => {
      const pk = fresh('cur');
      const group = fresh('cur-group');
      let tableCursor: string;
      let gsi1Cursor: string;
      beforeAll(async () => {
        for (const sk of ['a', 'b', 'c']) {
          await store.put({ pk, sk, gsi1pk: group, gsi1sk: sk, gsi2pk: group, gsi2sk: sk });
        }
        tableCursor = (await store.query({ pk, limit: 1 })).cursor ?? '';
        gsi1Cursor = (await store.query({ index: 'gsi1', pk: group, limit: 1 })).cursor ?? '';
      });

      it('issues cursors that continue the same list', async () => {
        expect(tableCursor).not.toBe('');
        expect(gsi1Cursor).not.toBe('');
        expect(sks((await store.query({ pk, limit: 10, cursor: tableCursor })).items)).toEqual(['b', 'c']);
        const next = await store.query({ index: 'gsi1', pk: group, limit: 10, cursor: gsi1Cursor });
        expect(sks(next.items)).toEqual(['b', 'c']);
      });

      it.each([
        ['garbage', 'not a cursor!'],
        ['valid base64 but not JSON', Buffer.from('hello').toString('base64url')],
        ['a JSON array', Buffer.from('["a","b"]').toString('base64url')],
        ['JSON with the wrong keys', Buffer.from('{"id":"a"}').toString('base64url')],
        ['an empty string', ''],
      ])('rejects %s with InvalidCursorError', async (_label, cursor) => {
        await expect(store.query({ pk, limit: 1, cursor })).rejects.toBeInstanceOf(InvalidCursorError);
      });

      it('rejects a cursor issued for another index', async () => {
        await expect(store.query({ pk, limit: 1, cursor: gsi1Cursor })).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(store.query({ index: 'gsi2', pk: group, limit: 1, cursor: gsi1Cursor })).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(store.query({ index: 'gsi1', pk: group, limit: 1, cursor: tableCursor })).rejects.toBeInstanceOf(InvalidCursorError);
      });

      it('rejects a cursor issued for another partition or outside the sort key condition', async () => {
        await expect(store.query({ pk: fresh('cur-elsewhere'), limit: 1, cursor: tableCursor })).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(store.query({ pk, skPrefix: 'z', limit: 1, cursor: tableCursor })).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(store.query({ pk, skBetween: ['b', 'c'], limit: 1, cursor: tableCursor })).rejects.toBeInstanceOf(InvalidCursorError);
      });
    });

    describe('ping', () => {
      it('resolves against a healthy store', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });
  });
}
