import { describe, expect, it } from 'vitest';
import type { DellEndpoint } from '../../shared/domain/dell-endpoint';
import { LockedError } from '../../shared/domain/errors';
import {
  type FirmwareTarget,
  firmwareTargetId,
  installedVersion,
  type RolloutBaseline,
  rolloutPauseReasons,
} from '../../shared/domain/firmware';
import type { IdracFirmwareItem } from '../../shared/domain/idrac';
import type { Job, OperatorWait } from '../../shared/domain/job';
import type { Idrac, IdracJobStatus, IdracTarget } from '../../shared/ports/idrac';
import { IdracError } from '../../shared/ports/idrac';
import type { Queue } from '../../shared/ports/queue';
import type { Workflows } from '../../shared/ports/workflows';
import { dellEndpoints } from '../../shared/records/dell-endpoints';
import { firmwareRollouts, firmwareTargets } from '../../shared/records/firmware-targets';
import { idracJobs } from '../../shared/records/idrac-jobs';
import { listSteps } from '../../shared/records/jobs';
import { serviceIdentities } from '../../shared/records/service-identities';
import { compensateFirmware } from '../../shared/usecases/firmware/compensate';
import { listEndpointIdracJobs } from '../../shared/usecases/firmware/idrac-ledger';
import { routeFirmwareResume } from '../../shared/usecases/firmware/resume';
import { checkRollout } from '../../shared/usecases/firmware/rollout-guard';
import { stageUpdates } from '../../shared/usecases/firmware/stage';
import { withdrawStaged } from '../../shared/usecases/firmware/withdraw';
import type { EngineDeps } from '../../shared/usecases/jobs/common';
import { stepContext } from '../../shared/usecases/jobs/step-context';
import { activateKillSwitch } from '../../shared/usecases/jobs/system';
import { FakeVCenter } from '../support/fake-vcenter';
import { ManualClock, MemorySecrets } from '../support/fakes';
import { storedJob } from '../support/job-records';
import { MemoryStore } from '../support/memory-store';

/**
 * firmware_update use cases against fakes of EIO's ports: the ledger of iDRAC jobs (staged with their JIDs,
 * withdrawn one by one, never a JID EIO did not create), the kill switch stopping a request before it leaves,
 * the rollout guard's rule and pause, and how a resume reaches a paused rollout.
 */
const EP = 'idrac-0001';
const AT = '2026-11-23T10:00:00.000Z';
const BIOS = 'https://repo.example/BIOS_1.2.3.EXE';
const NIC = 'https://repo.example/NIC_22.1.EXE';

/** An iDRAC's job queue: EIO's jobs are created by startFirmwareUpdate; `foreign` is someone else's. */
class FakeIdracQueue {
  readonly jobs = new Map<string, { state: IdracJobStatus['state']; raw: string }>([
    ['JID_FOREIGN', { state: 'pending', raw: 'Scheduled' }],
  ]);
  readonly calls: string[] = [];
  firmware: IdracFirmwareItem[] = [{ id: 'Installed-BIOS', name: 'BIOS', version: '1.0.0', fqdd: 'BIOS.Setup.1-1' }];
  private n = 0;

  private async act(target: IdracTarget, call: string) {
    await target.mayAct?.();
    this.calls.push(call);
  }

  readonly port = {
    firmwareInventory: async (target: IdracTarget) => {
      await this.act(target, 'firmware inventory');
      return this.firmware;
    },
    startFirmwareUpdate: async (target: IdracTarget, _c: unknown, image: string) => {
      await this.act(target, `start ${image}`);
      const jid = `JID_${++this.n}`;
      this.jobs.set(jid, { state: 'pending', raw: 'Scheduled' });
      return { job_id: jid, method: 'redfish_simple_update', protocol: 'redfish', apply: 'on_reset' };
    },
    jobStatus: async (target: IdracTarget, _c: unknown, jid: string): Promise<IdracJobStatus> => {
      await this.act(target, `status ${jid}`);
      const job = this.jobs.get(jid);
      if (!job) throw new IdracError('not_found', `no job ${jid}`, target.address);
      return { job_id: jid, state: job.state, raw_state: job.raw, percent_complete: null, message: job.raw, source: 'dell_jobs' };
    },
    listJobs: async (target: IdracTarget) => {
      await this.act(target, 'list');
      return [...this.jobs].map(([jid, j]) => ({ job_id: jid, state: j.state, raw_state: j.raw, job_type: 'FirmwareUpdate' }));
    },
    deleteJob: async (target: IdracTarget, _c: unknown, jid: string) => {
      await this.act(target, `delete ${jid}`);
      return { job_id: jid, outcome: this.jobs.delete(jid) ? 'deleted' : 'not_found' };
    },
  } as unknown as Idrac;
}

function engineDeps(idrac = new FakeIdracQueue()): EngineDeps & { fake: FakeIdracQueue } {
  const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not used here')) });
  const queue = {
    send: async (_q: string, messages: unknown[]) => messages.map((_m, i) => `m-${i}`),
    stats: async () => ({ depth: 0, inFlight: 0, oldestAgeSeconds: 0, deadLetterDepth: 0 }),
  };
  return {
    store: new MemoryStore(),
    clock: new ManualClock(),
    secrets: new MemorySecrets(),
    queue: queue as unknown as Queue,
    workflows: unused as Workflows,
    idrac: idrac.port,
    vcenter: new FakeVCenter(),
    fake: idrac,
  };
}

/** An iDRAC endpoint with its own credential, a running firmware job and its server waiting. */
async function setUp(deps: EngineDeps, images = [{ uri: BIOS, component: 'BIOS' }, { uri: NIC }]): Promise<Job> {
  await deps.secrets.put('si-1/s', 'calvin');
  await serviceIdentities.create(deps.store, {
    id: 'si-1',
    name: 'idrac',
    description: '',
    target_kind: 'idrac',
    username: 'root',
    secret_ref: 'si-1/s',
    secret_updated_at: AT,
    created_at: AT,
    updated_at: AT,
    created_by: 'admin',
    version: 1,
  });
  await dellEndpoints.create(deps.store, {
    id: EP,
    site_id: 'site-1',
    address: '10.0.0.5',
    service_identity_id: 'si-1',
    redfish_port: 443,
    wsman_port: 5986,
    tls: { insecure: true, legacy: false },
    status: 'reachable',
    source: 'api',
    created_at: AT,
    updated_at: AT,
    created_by: 'admin',
    version: 1,
  } satisfies DellEndpoint);
  const job = await storedJob(deps, { id: 'job-1', type: 'firmware_update', target_ids: [EP], params: { images } });
  await firmwareTargets.create(deps.store, {
    id: firmwareTargetId(job.id, EP),
    job_id: job.id,
    target_id: EP,
    kind: 'idrac',
    endpoint_id: EP,
    images,
    phase: 'waiting',
    notes: [],
    updated_at: AT,
    version: 1,
  } satisfies FirmwareTarget);
  return job;
}

describe('the iDRAC job ledger', () => {
  it('staging records each image with the JID the iDRAC answered, each JID the external_task_id of its step', async () => {
    const deps = engineDeps();
    const job = await setUp(deps);
    expect(await stageUpdates(stepContext(deps, job), EP)).toEqual({ target_id: EP, state: 'staged' });

    const entries = await idracJobs.ofJob(deps.store, job.id);
    expect(entries.map((e) => [e.jid, e.state, e.component, e.version_before])).toEqual([
      ['JID_1', 'scheduled', 'BIOS', '1.0.0'],
      ['JID_2', 'scheduled', undefined, undefined],
    ]);
    // Step ids order steps by time, and this clock stands still: sorted by JID instead.
    const steps = (await listSteps(deps.store, job.id)).filter((s) => s.name === 'Stage update');
    steps.sort((a, b) => a.external_task_id!.localeCompare(b.external_task_id!));
    expect(steps.map((s) => [s.external_task_id, s.status, s.target_id])).toEqual([
      ['JID_1', 'succeeded', EP],
      ['JID_2', 'succeeded', EP],
    ]);
    const listed = await listEndpointIdracJobs(deps, EP, { limit: 50 });
    expect(listed.items.map((e) => e.jid)).toEqual(['JID_1', 'JID_2']);
    expect(listed.items[0]).not.toHaveProperty('version');
  });

  it('a resumed stage step asks the iDRAC for nothing it already staged', async () => {
    const deps = engineDeps();
    const job = await setUp(deps);
    await stageUpdates(stepContext(deps, job), EP);
    await firmwareTargets.update(deps.store, firmwareTargetId(job.id, EP), (t) => ({ ...t, phase: 'staging' }));
    deps.fake.calls.length = 0;
    await stageUpdates(stepContext(deps, job), EP);
    expect(deps.fake.calls.filter((c) => c.startsWith('start'))).toEqual([]);
    expect((await idracJobs.ofJob(deps.store, job.id)).length).toBe(2);
  });

  it('an entry a dead execution left `requested` is not asked again while the queue holds a firmware job EIO does not know', async () => {
    const deps = engineDeps();
    const job = await setUp(deps, [{ uri: BIOS, component: 'BIOS' }]);
    await idracJobs.create(deps.store, {
      id: `${EP}|job-1|000`,
      endpoint_id: EP,
      job_id: job.id,
      target_id: EP,
      image_uri: BIOS,
      state: 'requested',
      created_at: AT,
      updated_at: AT,
      version: 1,
    });
    (deps.clock as ManualClock).advance(60_000);
    const outcome = await stageUpdates(stepContext(deps, job), EP);
    expect(outcome).toMatchObject({ state: 'failed', error: expect.stringContaining('JID_FOREIGN') });
    expect(deps.fake.calls.some((c) => c.startsWith('start'))).toBe(false);
    expect((await idracJobs.get(deps.store, `${EP}|job-1|000`)).state).toBe('left_staged');

    // Without such a job, the request never reached the iDRAC: it is asked for.
    const clean = engineDeps();
    clean.fake.jobs.clear();
    const again = await setUp(clean, [{ uri: BIOS, component: 'BIOS' }]);
    await idracJobs.create(clean.store, { ...(await idracJobs.get(deps.store, `${EP}|job-1|000`)), state: 'requested', version: 1 });
    (clean.clock as ManualClock).advance(60_000);
    expect(await stageUpdates(stepContext(clean, again), EP)).toEqual({ target_id: EP, state: 'staged' });
    expect(clean.fake.calls.filter((c) => c.startsWith('start'))).toEqual([`start ${BIOS}`]);
  });

  it('withdrawing deletes EIO’s own staged JIDs one by one and leaves a job it did not create untouched', async () => {
    const deps = engineDeps();
    const job = await setUp(deps);
    await stageUpdates(stepContext(deps, job), EP);
    const left = await withdrawStaged(deps, job);
    expect(left).toEqual([]);
    expect(deps.fake.calls.filter((c) => c.startsWith('delete'))).toEqual(['delete JID_1', 'delete JID_2']);
    expect([...deps.fake.jobs.keys()]).toEqual(['JID_FOREIGN']);
    expect((await idracJobs.ofJob(deps.store, job.id)).map((e) => e.state)).toEqual(['deleted', 'deleted']);
  });

  it('a JID that already runs is not deleted: its state is recorded and it is not a leftover to delete', async () => {
    const deps = engineDeps();
    const job = await setUp(deps, [{ uri: BIOS, component: 'BIOS' }]);
    await stageUpdates(stepContext(deps, job), EP);
    deps.fake.jobs.set('JID_1', { state: 'running', raw: 'Running' });
    const left = await withdrawStaged(deps, job);
    expect(deps.fake.calls.some((c) => c.startsWith('delete'))).toBe(false);
    expect(left.map((e) => [e.jid, e.state])).toEqual([['JID_1', 'running']]);
  });

  it('with the kill switch on, no iDRAC job is created: the request stops before it leaves and no entry stays behind', async () => {
    const deps = engineDeps();
    const job = await setUp(deps);
    const ctx = stepContext(deps, job);
    await activateKillSwitch({ ...deps, workflows: { stop: async () => undefined } as unknown as Workflows }, 'admin', 'drill');
    await expect(stageUpdates(ctx, EP)).rejects.toBeInstanceOf(LockedError);
    expect(deps.fake.calls.filter((c) => c.startsWith('start'))).toEqual([]);
    expect(await idracJobs.ofJob(deps.store, job.id)).toEqual([]);
  });

  it('after the kill switch, compensation sends the iDRAC nothing and lists what is left staged on the job', async () => {
    const deps = engineDeps();
    const job = await setUp(deps);
    await stageUpdates(stepContext(deps, job), EP);
    await activateKillSwitch({ ...deps, workflows: { stop: async () => undefined } as unknown as Workflows }, 'admin', 'drill');
    deps.fake.calls.length = 0;
    const outcome = await compensateFirmware(deps, job);
    expect(outcome.state).toBe('blocked');
    expect(deps.fake.calls).toEqual([]);
    expect((outcome.result!.staged_leftovers as { jid: string }[]).map((e) => e.jid)).toEqual(['JID_1', 'JID_2']);
  });
});

describe('the rollout guard', () => {
  const thresholds = {
    idrac_unreachable_pct: { warning: 5, critical: 20 },
    failed_jobs_24h: { warning: 5, critical: 20 },
    job_queue_depth: { warning: 50, critical: 200 },
  };
  const calm = { idrac_unreachable_pct: 0, failed_jobs_24h: 0, job_queue_depth: 0 };
  const start: RolloutBaseline = {
    levels: { idrac_unreachable_pct: 'ok', failed_jobs_24h: 'ok', job_queue_depth: 'ok' },
    failed_hosts: 0,
    source: 'start',
    at: AT,
  };
  const params = { pause_on_health: 'critical' as const, max_failed_hosts: 1 };

  it('pauses on a threshold crossed since the rollout began, at the level the job asks', () => {
    const worse = { ...calm, idrac_unreachable_pct: 25 };
    expect(rolloutPauseReasons(worse, thresholds, start, [], params)).toEqual([
      expect.stringMatching(/^iDRAC unreachable % is 25 \(critical: warning > 5, critical > 20; ok when the rollout began/),
    ]);
    expect(rolloutPauseReasons({ ...calm, job_queue_depth: 60 }, thresholds, start, [], params)).toEqual([]);
    expect(rolloutPauseReasons({ ...calm, job_queue_depth: 60 }, thresholds, start, [], { ...params, pause_on_health: 'warning' })).toEqual(
      [expect.stringContaining('job queue depth is 60')],
    );
    expect(rolloutPauseReasons(worse, thresholds, start, [], { ...params, pause_on_health: 'never' })).toEqual([]);
  });

  it('a level already accepted does not pause again; a worse one does', () => {
    const accepted: RolloutBaseline = { ...start, levels: { ...start.levels, failed_jobs_24h: 'critical' }, source: 'continue' };
    expect(rolloutPauseReasons({ ...calm, failed_jobs_24h: 30 }, thresholds, accepted, [], params)).toEqual([]);
    const degraded: RolloutBaseline = { ...start, levels: { ...start.levels, failed_jobs_24h: 'degraded' } };
    expect(rolloutPauseReasons({ ...calm, failed_jobs_24h: 30 }, thresholds, degraded, [], params)).toHaveLength(1);
  });

  it('pauses when more servers failed than the job allows, and not again for those an operator accepted', () => {
    expect(rolloutPauseReasons(calm, thresholds, start, ['h1'], params)).toEqual([]);
    expect(rolloutPauseReasons(calm, thresholds, start, ['h1', 'h2'], params)).toEqual([
      '2 server(s) failed (h1, h2); the job allows 1 (max_failed_hosts)',
    ]);
    expect(rolloutPauseReasons(calm, thresholds, { ...start, failed_hosts: 2 }, ['h1', 'h2'], params)).toEqual([]);
    expect(rolloutPauseReasons(calm, thresholds, { ...start, failed_hosts: 2 }, ['h1', 'h2', 'h3'], params)).toHaveLength(1);
  });

  it('"Check rollout" pauses before a server once the failures pass the budget, saying why', async () => {
    const deps = engineDeps();
    const job = await setUp(deps);
    await firmwareRollouts.create(deps.store, { id: job.id, baseline: start, version: 1 });
    const ctx = stepContext(deps, job);
    expect((await checkRollout(ctx, EP)).state).toBe('go');
    for (const id of ['idrac-0002', 'idrac-0003'])
      await firmwareTargets.create(deps.store, {
        ...(await firmwareTargets.get(deps.store, firmwareTargetId(job.id, EP))),
        id: firmwareTargetId(job.id, id),
        target_id: id,
        phase: 'failed',
      });
    const paused = await checkRollout(ctx, EP);
    expect(paused).toMatchObject({
      state: 'paused',
      wait_key: `rollout:${EP}`,
      valid_actions: ['continue', 'abort'],
      message: expect.stringContaining('2 server(s) failed (idrac-0002, idrac-0003); the job allows 0'),
    });
  });
});

describe('routeFirmwareResume', () => {
  const wait = (key: string, kind: OperatorWait['kind'], valid: string[]): OperatorWait => ({
    key,
    task_token: `token-${key}`,
    kind,
    step: 'Rollout paused',
    message: key,
    valid_actions: valid,
    since: AT,
    details: {},
  });

  it('continue ends the rollout pauses only; abort ends the job', async () => {
    const deps = engineDeps();
    const waits = [
      wait('rollout:vc-001/host-21', 'operator', ['continue', 'abort']),
      wait('rollout:vc-001/host-22', 'operator', ['continue', 'abort']),
      wait('vc-001/host-23', 'blocking_vms', ['retry', 'abort']),
    ];
    const job = await storedJob(deps, { id: 'job-1', type: 'firmware_update', status: 'paused', operator_waits: waits });
    expect(await routeFirmwareResume(deps, job, { action: 'continue' }, 'bob')).toEqual({
      kind: 'settle',
      waits: [
        { key: 'rollout:vc-001/host-21', output: { action: 'continue' } },
        { key: 'rollout:vc-001/host-22', output: { action: 'continue' } },
      ],
    });
    expect(await routeFirmwareResume(deps, job, { action: 'retry' }, 'bob')).toEqual({
      kind: 'settle',
      waits: [{ key: 'vc-001/host-23', output: { action: 'retry' } }],
    });
    expect(await routeFirmwareResume(deps, job, { action: 'abort' }, 'bob')).toMatchObject({ kind: 'cancel' });
  });
});

describe('installedVersion', () => {
  const firmware: IdracFirmwareItem[] = [
    { id: 'Installed-1', name: 'BIOS', version: '2.1.0', fqdd: 'BIOS.Setup.1-1' },
    { id: 'Installed-2', name: 'Broadcom NIC', version: '22.1', fqdd: 'NIC.Integrated.1-1-1' },
    { id: 'Installed-3', name: 'Broadcom NIC', version: '22.0', fqdd: 'NIC.Integrated.1-2-1' },
  ];
  it('finds a component by FQDD or name, and says nothing when it matches two versions', () => {
    expect(installedVersion(firmware, 'BIOS.Setup.1-1')).toBe('2.1.0');
    expect(installedVersion(firmware, 'bios')).toBe('2.1.0');
    expect(installedVersion(firmware, 'NIC.Integrated.1-1-1')).toBe('22.1');
    expect(installedVersion(firmware, 'Broadcom')).toBeUndefined();
    expect(installedVersion(firmware, undefined)).toBeUndefined();
  });
});
