import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../shared/config';
import { SiteCreate } from '../../shared/domain/site';
import { VCenterInstanceCreate } from '../../shared/domain/vcenter';
import type { Queue } from '../../shared/ports/queue';
import { syncRuns, vcenterInstances } from '../../shared/records/vcenter';
import { createServiceIdentity } from '../../shared/usecases/service-identities';
import { createSite } from '../../shared/usecases/sites';
import { createVcenterInstance } from '../../shared/usecases/vcenter-instances';
import { requestSync } from '../../shared/usecases/vcenter-sync-requests';
import { executeSync } from '../../shared/usecases/vcenter-sync-run';
import { RecordingQueue, unitDeps } from '../support/fakes';

/** Sync requests for an instance whose run is in progress join it; a full one queues behind a delta. */
describe('sync requests while a run is in progress', () => {
  beforeAll(() => {
    process.env.VCENTER_SYNC_WAIT_SECONDS = '7';
    resetConfig();
  });
  afterAll(() => {
    delete process.env.VCENTER_SYNC_WAIT_SECONDS;
    resetConfig();
  });

  async function setup() {
    const queue = new RecordingQueue();
    const deps = { ...unitDeps(), queue: queue as unknown as Queue };
    await createServiceIdentity(
      deps,
      { id: 'si-vc', name: 'vc', description: '', target_kind: 'vcenter', username: 'svc', secret: 'pw' },
      'test',
    );
    await createSite(deps, SiteCreate.parse({ id: 'site-001', name: 'lab' }), 'test');
    const body = { url: 'https://vc.example/sdk', site_id: 'site-001', service_identity_id: 'si-vc', tls: { insecure: true } };
    for (const id of ['vc-001', 'vc-002']) await createVcenterInstance(deps, VCenterInstanceCreate.parse({ id, ...body }), 'test');
    const request = async (ids: string[], sync_type: 'full' | 'delta', actor = 'alice') =>
      (await requestSync(deps, { instance_ids: ids, sync_type }, actor)).map(({ run, coalesced }) => ({ id: run.id, coalesced }));
    return { deps, queue, request };
  }

  it('a request joins the queued or running run of its instance; other instances get their own', async () => {
    const { deps, queue, request } = await setup();
    const [first] = await request(['vc-001'], 'full', 'demo-seed');
    expect(first!.coalesced).toBe(false);
    expect(await request(['vc-001'], 'full')).toEqual([{ id: first!.id, coalesced: true }]);
    expect(await request(['vc-001'], 'delta')).toEqual([{ id: first!.id, coalesced: true }]);
    const [joined, other] = await request(['vc-001', 'vc-002'], 'full');
    expect(joined).toEqual({ id: first!.id, coalesced: true });
    expect(other).toMatchObject({ coalesced: false });
    expect(queue.sent).toHaveLength(2); // one message per run, none per joined request
    // Running counts as in progress too.
    await syncRuns.update(deps.store, first!.id, (r) => ({ ...r, status: 'running', attempts: 1 }));
    expect(await request(['vc-001'], 'delta')).toEqual([{ id: first!.id, coalesced: true }]);
    // An ended run is not joined.
    await syncRuns.update(deps.store, first!.id, (r) => ({ ...r, status: 'succeeded' }));
    const [next] = await request(['vc-001'], 'delta');
    expect(next).toMatchObject({ coalesced: false });
    expect(next!.id).not.toBe(first!.id);
  });

  it('a full request while only a delta is in progress queues a full run, which later requests join', async () => {
    const { deps, request } = await setup();
    const [delta] = await request(['vc-001'], 'delta');
    deps.clock.advance(1000);
    const [full] = await request(['vc-001'], 'full');
    expect(full).toMatchObject({ coalesced: false });
    expect(full!.id).not.toBe(delta!.id);
    expect(await request(['vc-001'], 'full')).toEqual([{ id: full!.id, coalesced: true }]);
    expect(await request(['vc-001'], 'delta')).toEqual([{ id: delta!.id, coalesced: true }]); // the one that ends first
  });

  it('a run with no sign of life for longer than the lease (its message was never sent) is not joined', async () => {
    const { deps, request } = await setup();
    const [lost] = await request(['vc-001'], 'full');
    deps.clock.advance(17 * 60_000);
    const [fresh] = await request(['vc-001'], 'full');
    expect(fresh).toMatchObject({ coalesced: false });
    expect(fresh!.id).not.toBe(lost!.id);
  });

  it('a run that finds the instance held waits behind the holder, then runs once it is free', async () => {
    const { deps, queue, request } = await setup();
    const until = new Date(deps.clock.now() + 60_000).toISOString();
    await vcenterInstances.update(deps.store, 'vc-001', (c) => ({ ...c, sync_lease: { run_id: 'sync-other', until } }));
    const [full] = await request(['vc-001'], 'full');
    queue.sent.length = 0;
    const waiting = await executeSync(deps, full!.id);
    expect(waiting).toMatchObject({ status: 'queued', attempts: 0 });
    expect(waiting.queued_behind).toEqual({ run_id: 'sync-other', checked_at: new Date(deps.clock.now()).toISOString() });
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]!.message.delaySeconds).toBe(7);
    expect(JSON.parse(queue.sent[0]!.message.body)).toEqual({
      instance_id: 'vc-001',
      sync_type: 'full',
      sync_run_id: full!.id,
      attempt: 1,
    });
    expect((await vcenterInstances.get(deps.store, 'vc-001')).last_sync).toBeUndefined();
    // The waiting run is still in progress: a request joins it.
    expect(await request(['vc-001'], 'full')).toEqual([{ id: full!.id, coalesced: true }]);

    await vcenterInstances.update(deps.store, 'vc-001', (c) => ({ ...c, sync_lease: undefined }));
    // This test has no vCenter: the run gets past the lease and its attempt fails on connecting.
    const ran = await executeSync(deps, full!.id);
    expect(ran).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringContaining('no vCenter in this test') });
    expect(ran.queued_behind).toBeUndefined();
  });
});
