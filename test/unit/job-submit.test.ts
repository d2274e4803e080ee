import { describe, expect, it } from 'vitest';
import type { Site } from '../../shared/domain/site';
import type { Idrac } from '../../shared/ports/idrac';
import type { Queue } from '../../shared/ports/queue';
import type { Item, Key, WriteCondition } from '../../shared/ports/store';
import type { VCenter } from '../../shared/ports/vcenter';
import type { Workflows } from '../../shared/ports/workflows';
import { sites } from '../../shared/records/sites';
import type { EngineDeps } from '../../shared/usecases/jobs/common';
import { submitJob } from '../../shared/usecases/jobs/submit';
import { ManualClock, MemorySecrets } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';

/**
 * The interleaving a burst of retries produces: the request that claimed the Idempotency-Key is slow to write
 * its job, and a copy that lost the claim looks for the job in between and finds none yet.
 */
class SlowFirstJobWrite extends MemoryStore {
  private held = true;
  private looked!: () => void;
  private readonly lookedForJob = new Promise<void>((resolve) => {
    this.looked = resolve;
  });

  override async get(key: Key): Promise<Item | undefined> {
    const found = await super.get(key);
    if (String(key.pk).startsWith('JOB#') && !found) this.looked();
    return found;
  }

  override async put(item: Item, condition?: WriteCondition): Promise<void> {
    if (this.held && String(item.pk).startsWith('JOB#') && item.sk === 'JOB') {
      this.held = false;
      await this.lookedForJob;
    }
    return super.put(item, condition);
  }
}

function deps(store: MemoryStore): EngineDeps {
  const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not used here')) });
  return {
    store,
    clock: new ManualClock(),
    secrets: new MemorySecrets(),
    queue: { send: async (_q: string, messages: unknown[]) => messages.map((_m, i) => `m-${i}`) } as unknown as Queue,
    workflows: unused as Workflows,
    idrac: unused as Idrac,
    vcenter: unused as VCenter,
  };
}

describe('submitJob with an Idempotency-Key', () => {
  it('two copies racing: one job, both answers name it, only one creates it', async () => {
    const store = new SlowFirstJobWrite();
    const at = '2026-12-05T00:00:00.000Z';
    await sites.create(store, {
      id: 'site-a',
      name: 'a',
      management_networks: [],
      created_at: at,
      updated_at: at,
      version: 1,
    } as unknown as Site);
    const d = deps(store);
    const body = { type: 'health_check', target_ids: ['site-a'], params: {} };
    const [first, second] = await Promise.all([submitJob(d, body, 'alice', 'ticket-7'), submitJob(d, body, 'alice', 'ticket-7')]);
    expect(second.job.id).toBe(first.job.id);
    expect([first.replayed, second.replayed].sort()).toEqual([false, true]);
  });
});
