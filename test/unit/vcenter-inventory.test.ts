import { describe, expect, it } from 'vitest';
import { putInventory, vcenterInstances } from '../../shared/records/vcenter';
import { listInventory, MAX_EXAMINED } from '../../shared/usecases/vcenter-inventory';
import { instanceRecord, storedRecord } from '../support/fake-vcenter';
import { unitDeps } from '../support/fakes';

const VMS = 2_500;

/** An instance with VMS stored VMs (every 7th powered off), and a count of the records each request reads. */
async function bigInventory() {
  const deps = unitDeps();
  await vcenterInstances.create(deps.store, instanceRecord('vc-001', '2026-11-23T10:00:00.000Z'));
  for (let i = 0; i < VMS; i++) {
    const moref = `vm-${String(i).padStart(5, '0')}`;
    const power_state = i % 7 === 0 ? 'poweredOff' : 'poweredOn';
    await putInventory(deps.store, storedRecord('vm', moref, { name: `app-${i}`, data: { power_state } }));
  }
  let read = 0;
  const query = deps.store.query.bind(deps.store);
  deps.store.query = async (input) => {
    const page = await query(input);
    read += page.items.length;
    return page;
  };
  /** One API request: the page, and how many stored records it read. */
  const list = async (q: Parameters<typeof listInventory>[3]) => {
    read = 0;
    const page = await listInventory(deps, 'vc-001', 'vm', q);
    return { ...page, read };
  };
  return list;
}

describe('listing vCenter inventory with filters', () => {
  it('a filter that matches nothing reads a bounded slice per request and hands back a next_token to go on', async () => {
    const list = await bigInventory();
    let page = await list({ limit: 50, name: 'no-such-vm' });
    expect(page.items).toEqual([]);
    expect(page.next_token).toEqual(expect.any(String));
    expect(page.read).toBeLessThanOrEqual(MAX_EXAMINED);
    let requests = 1;
    while (page.next_token) {
      page = await list({ limit: 50, name: 'no-such-vm', next_token: page.next_token });
      expect(page.items).toEqual([]);
      expect(page.read).toBeLessThanOrEqual(MAX_EXAMINED);
      requests++;
    }
    expect(requests).toBe(Math.ceil(VMS / MAX_EXAMINED));
  });

  it('a filter fills each page up to the limit, and following next_token visits every match once', async () => {
    const list = await bigInventory();
    const seen: string[] = [];
    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const page = await list({ limit: 30, power_state: 'poweredOff', next_token: token });
      expect(page.read).toBeLessThanOrEqual(MAX_EXAMINED);
      sizes.push(page.items.length);
      seen.push(...page.items.map((v) => String(v.id)));
      token = page.next_token ?? undefined;
    } while (token);
    // One VM in 7 matches, so 30 matches lie within 210 records: every page but the last is full.
    expect(sizes.slice(0, -1).every((n) => n === 30)).toBe(true);
    const expected = Array.from({ length: VMS }, (_, i) => i)
      .filter((i) => i % 7 === 0)
      .map((i) => `vm-${String(i).padStart(5, '0')}`);
    expect(seen).toEqual(expected);
  });

  it('without a filter a page is one read of `limit` records', async () => {
    const list = await bigInventory();
    const page = await list({ limit: 50 });
    expect(page.items).toHaveLength(50);
    expect(page.read).toBe(50);
    expect(page.next_token).toEqual(expect.any(String));
  });
});
