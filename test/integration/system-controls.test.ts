import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULES, scheduleInput } from '../../shared/catalog/schedules';
import { ENGINE_TEST, readLedger, registerEngineTestJob } from '../support/engine-test-job';
import { type Harness, startHarness } from '../support/harness';
import { waitFor } from '../support/wait';

const ledger = join(mkdtempSync(join(tmpdir(), 'eio-ledger-')), 'ledger.jsonl');
registerEngineTestJob(ledger);

let h: Harness;
const submit = (body: unknown) => h.call('POST', '/api/v1/jobs', { role: 'operator', body });
const getJob = async (id: string) => (await h.call('GET', `/api/v1/jobs/${id}`, { role: 'viewer' })).body;
const until = (id: string, statuses: string[]) =>
  waitFor(`job ${id} to be ${statuses.join('|')}`, async () => {
    const j = await getJob(id);
    return statuses.includes(j.status) ? j : undefined;
  });

beforeAll(async () => {
  h = await startHarness();
  for (const id of ['site-a', 'site-b']) await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id, name: id } });
});
afterAll(async () => {
  await h?.close();
});

describe('kill switch', () => {
  it('is admin only', async () => {
    const res = await h.call('POST', '/api/v1/system/kill-switch/activate', { role: 'operator' });
    expect(res.status).toBe(403);
    expect((await h.call('GET', '/api/v1/system/kill-switch', { role: 'viewer' })).body.on).toBe(false);
  });

  it('stops every running job; no side-effecting step runs after activation; new jobs get 423', async () => {
    const N = 4;
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const res = await submit({
        type: ENGINE_TEST,
        target_ids: ['site-a', 'site-b'],
        params: { delays: { 'site-a': 1200, 'site-b': 1200 } },
      });
      ids.push(res.body.id);
    }
    for (const id of ids)
      await waitFor(`job ${id} working`, async () =>
        (await getJob(id)).steps?.some((s: { name: string; status: string }) => s.name === 'Work on target' && s.status === 'running')
          ? true
          : undefined,
      );
    const activatedAt = Date.now();
    const res = await h.call('POST', '/api/v1/system/kill-switch/activate', { role: 'admin', body: { reason: 'storage array alarm' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ on: true, reason: 'storage array alarm', changed_by: 'test-admin' });
    expect(res.body.jobs_stopped).toEqual([...ids].sort());
    // Reported, not asserted: timings belong in benchmarks.
    process.stdout.write(`kill switch stopped ${N} running jobs in ${res.body.stop_duration_ms} ms\n`);

    for (const id of ids) {
      const job = await getJob(id);
      expect(job.status).toBe('cancelled');
      expect(job.status_reason).toMatch(/kill switch activated by test-admin: storage array alarm/);
    }
    // Let every step that was mid-wait reach its check; none may act.
    await waitFor('every work step to end', async () => {
      const jobs = await Promise.all(ids.map(getJob));
      return jobs.every((j) => j.steps.every((s: { status: string }) => s.status !== 'running')) ? true : undefined;
    });
    const acted = readLedger(ledger).filter((e) => ids.includes(e.job_id) && e.at >= activatedAt);
    expect(acted).toEqual([]);

    const refused = await submit({ type: 'health_check', target_ids: ['site-a'] });
    expect(refused.status).toBe(423);
    expect(refused.body.error.message).toMatch(/kill switch is active.*storage array alarm/);

    const off = await h.call('POST', '/api/v1/system/kill-switch/deactivate', { role: 'admin' });
    expect(off.body.on).toBe(false);
    const again = await submit({ type: 'health_check', target_ids: ['site-a'] });
    expect(again.status).toBe(202);
    expect((await until(again.body.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    const state = await h.call('GET', '/api/v1/system/kill-switch', { role: 'viewer' });
    expect(state.body.history.map((x: { on: boolean }) => x.on)).toEqual([true, false]);
  });
});

describe('scheduler pause (maintenance window)', () => {
  it('keeps queued jobs queued while running jobs finish; resume releases them', async () => {
    const running = await submit({ type: ENGINE_TEST, target_ids: ['site-a'], params: { delays: { 'site-a': 800 } } });
    await until(running.body.id, ['running']);
    const pause = await h.call('POST', '/api/v1/system/scheduler/pause', { role: 'operator', body: { reason: 'vCenter upgrade' } });
    expect(pause.body).toMatchObject({ on: true, reason: 'vCenter upgrade' });
    const held = await submit({ type: 'health_check', target_ids: ['site-b'] });
    expect(held.status).toBe(202);
    expect((await until(running.body.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    // The dispatcher has had the message (queue empty) yet the job stays queued.
    await waitFor('the jobs queue to empty', async () => {
      const pools = (await h.call('GET', '/api/v1/health/workers', { role: 'viewer' })).body.pools;
      const jobs = pools.find((p: { pool: string }) => p.pool === 'jobs');
      return jobs.queue_depth === 0 && jobs.in_flight_messages === 0 ? true : undefined;
    });
    expect((await getJob(held.body.id)).status).toBe('queued');
    // The runbook's job queue depth counts it, saying why it waits.
    const health = (await h.call('GET', '/api/v1/health', { role: 'viewer' })).body;
    expect(health.components.queues.metrics.job_queue_depth).toBe(1);
    expect(health.components.queues.message).toContain('job queue: 1 job(s) waiting (held: the scheduler is paused)');
    const resume = await h.call('POST', '/api/v1/system/scheduler/resume', { role: 'operator' });
    expect(resume.body).toMatchObject({ on: false, jobs_released: 1 });
    expect((await until(held.body.id, ['succeeded', 'failed'])).status).toBe('succeeded');
  });
});

describe('scheduler pause and the schedules', () => {
  const queuesEmpty = (pools: string[]) =>
    waitFor(`queues ${pools.join(', ')} to empty`, async () => {
      const all = (await h.call('GET', '/api/v1/health/workers', { role: 'viewer' })).body.pools;
      return all
        .filter((p: { pool: string }) => pools.includes(p.pool))
        .every((p: any) => p.queue_depth === 0 && p.in_flight_messages === 0)
        ? true
        : undefined;
    });
  const tick = (name: string) => h.stack.deps.queue.send(SCHEDULES[name]!.pool, [{ body: scheduleInput(name, SCHEDULES[name]!) }]);
  const syncRuns = async () => (await h.call('GET', '/api/v1/vcenter/sync-runs?instance_id=vc-paused', { role: 'viewer' })).body.items;

  it('holds the vCenter sync tick while paused, housekeeping keeps running, and the next tick after resume syncs', async () => {
    // A site of its own: the unreachable vCenter would fail other tests' health checks of site-a.
    await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-paused', name: 'site-paused' } });
    await h.call('POST', '/api/v1/service-identities', {
      role: 'admin',
      body: { id: 'si-paused', name: 'vc', target_kind: 'vcenter', username: 'u', secret: 'p' },
    });
    const vc = await h.call('POST', '/api/v1/vcenter/instances', {
      role: 'admin',
      body: {
        id: 'vc-paused',
        url: 'https://127.0.0.1:9/sdk',
        site_id: 'site-paused',
        service_identity_id: 'si-paused',
        tls: { insecure: true },
      },
    });
    expect(vc.status).toBe(201);
    await h.call('POST', '/api/v1/system/scheduler/pause', { role: 'operator', body: { reason: 'window' } });
    await tick('vcenter-delta-sync');
    await tick('housekeeping');
    await queuesEmpty(['vcenter-sync', 'housekeeping']);
    expect(await syncRuns()).toEqual([]);
    await h.call('POST', '/api/v1/system/scheduler/resume', { role: 'operator' });
    await tick('vcenter-delta-sync');
    const runs = await waitFor('the delta tick to queue a sync run', async () =>
      (await syncRuns()).length ? await syncRuns() : undefined,
    );
    expect(runs[0]).toMatchObject({ instance_id: 'vc-paused', sync_type: 'delta' });
  });
});

describe('worker pool drain', () => {
  it('drains by runbook worker id: shown in health/workers, takes nothing new until undrained', async () => {
    const drain = await h.call('POST', '/api/v1/workers/worker-001/drain', { role: 'operator' });
    expect(drain.status).toBe(200);
    expect(drain.body).toMatchObject({ pool: 'jobs', worker_id: 'worker-001', draining: true });
    const workers = (await h.call('GET', '/api/v1/health/workers', { role: 'viewer' })).body.pools;
    expect(workers.find((p: { pool: string }) => p.pool === 'jobs').draining).toBe(true);
    const res = await submit({ type: 'health_check', target_ids: ['site-a'] });
    await waitFor('the job message to wait in the queue', async () => {
      const pools = (await h.call('GET', '/api/v1/health/workers', { role: 'viewer' })).body.pools;
      return pools.find((p: { pool: string }) => p.pool === 'jobs').queue_depth === 1 ? true : undefined;
    });
    expect((await getJob(res.body.id)).status).toBe('queued');
    // A restart does not undrain it: the job still waits (the restart's reconciliation queues it once more).
    await h.restart();
    const after = (await h.call('GET', '/api/v1/health/workers', { role: 'viewer' })).body.pools;
    expect(after.find((p: { pool: string }) => p.pool === 'jobs')).toMatchObject({ draining: true, queue_depth: 2 });
    expect((await getJob(res.body.id)).status).toBe('queued');
    const undrain = await h.call('POST', '/api/v1/workers/jobs/undrain', { role: 'operator' });
    expect(undrain.body.draining).toBe(false);
    expect((await until(res.body.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect((await h.call('POST', '/api/v1/workers/worker-999/drain', { role: 'operator' })).status).toBe(404);
  });
});

describe('worker pool scaling', () => {
  it('sets how many batches a pool runs at once, by name or worker id; kept across a restart; audited', async () => {
    const scaled = await h.call('PATCH', '/api/v1/workers/worker-001', { role: 'operator', body: { concurrency: 7 } });
    expect(scaled.status, scaled.text).toBe(200);
    expect(scaled.body).toMatchObject({ pool: 'jobs', worker_id: 'worker-001', concurrency_limit: 7 });
    const jobsPool = async () =>
      (await h.call('GET', '/api/v1/health/workers', { role: 'viewer' })).body.pools.find((p: { pool: string }) => p.pool === 'jobs');
    expect(await jobsPool()).toMatchObject({ concurrency_limit: 7 });
    await h.restart();
    expect(await jobsPool()).toMatchObject({ concurrency_limit: 7 });
    const audit = (await h.call('GET', '/api/v1/audit?entity=pool:jobs&action=pool.scaled', { role: 'viewer' })).body.items;
    expect(audit).toEqual([expect.objectContaining({ actor: 'test-operator', detail: { from: 4, to: 7 } })]);
    // Jobs still run on the scaled pool.
    const res = await submit({ type: 'health_check', target_ids: ['site-b'] });
    expect((await until(res.body.id, ['succeeded', 'failed'])).status).toBe('succeeded');
  });

  it.each([1, 1001, 2.5, '4', null])('refuses concurrency %s (an integer 2..1000) with 400 naming the field', async (concurrency) => {
    const res = await h.call('PATCH', '/api/v1/workers/jobs', { role: 'operator', body: { concurrency } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'body.concurrency', message: expect.any(String) }]);
  });

  it('an unknown pool is 404; a viewer may not scale', async () => {
    expect((await h.call('PATCH', '/api/v1/workers/worker-999', { role: 'operator', body: { concurrency: 3 } })).status).toBe(404);
    expect((await h.call('PATCH', '/api/v1/workers/jobs', { role: 'viewer', body: { concurrency: 3 } })).status).toBe(403);
  });
});
