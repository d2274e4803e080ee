import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { type Harness, startHarness } from '../support/harness';
import { waitFor } from '../support/wait';

/**
 * firmware_update on iDRACs no vCenter host is linked to, over HTTP on the real local stack against simulated
 * iDRACs: the plan says no vCenter steps, each JID is its step's external_task_id and in the endpoint's ledger,
 * an iDRAC8 without Redfish is updated over WS-Man, a failure injected on one server pauses the rollout with
 * the reason, a cancel withdraws EIO's own staged JIDs and leaves a job EIO did not create untouched, and the
 * kill switch stops the iDRAC jobs being created and leaves the staged ones listed on the job; against a
 * baseline, only what is older is applied and the server ends compliant.
 * This file's addresses: 127.62.0.x.
 */
// biome-ignore lint/suspicious/noExplicitAny: API answers are read as JSON
type JobView = Record<string, any>;
const CERT_DIR = join(tmpdir(), 'eio-idrac-client-test-certs');
const BIOS_DUP = 'https://repo.example/dell/BIOS_8DHFN_WN64_2.19.1.EXE';

let h: Harness;
let fleet: SimulatorFleet;

const call = async (method: string, path: string, role: 'viewer' | 'operator' | 'admin', body?: unknown) => {
  const res = await h.call(method, path, { role, ...(body === undefined ? {} : { body }) });
  return { ...res, body: res.body as JobView };
};

const job = async (id: string) => (await call('GET', `/api/v1/jobs/${id}`, 'viewer')).body;
const until = (what: string, id: string, check: (j: JobView) => boolean) =>
  waitFor(
    `job ${id}: ${what}`,
    async () => {
      const j = await job(id);
      return check(j) ? j : undefined;
    },
    90_000,
    100,
  );
const submit = async (targetIds: string[], params: Record<string, unknown>) => {
  const res = await call('POST', '/api/v1/jobs', 'operator', { type: 'firmware_update', target_ids: targetIds, params });
  expect(res.status, res.text).toBe(202);
  return res.body.id as string;
};
const stagedJids = (j: JobView): string[] =>
  j.steps.filter((s: JobView) => s.name === 'Stage update' && s.external_task_id).map((s: JobView) => s.external_task_id);
/** The simulated iDRAC's queue, as the iDRAC holds it. */
const queueOf = (index: number) => fleet.endpoint(index).host.jobs.list();
/** The server's reset hangs (no answer until the client gives up): updates stay staged, as long as the test needs. */
const holdReboots = (index: number) =>
  fleet.endpoint(index).setFault({ kind: 'hang', stage: 'http', match: /ComputerSystem\.Reset/ }, 'https');

const jobEnd = (id: string) =>
  waitFor(
    `job ${id} to end`,
    async () => {
      const j = (await call('GET', `/api/v1/jobs/${id}`, 'viewer')).body;
      return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
    },
    90_000,
    100,
  );

async function register(index: number): Promise<string> {
  const ep = fleet.info()[index]!;
  // Trusting any certificate is an admin's call.
  const res = await call('POST', '/api/v1/dell/endpoints', 'admin', {
    site_id: 'site-fw',
    address: ep.address,
    redfish_port: ep.ports.https,
    wsman_port: ep.ports.wsman,
    tls: { insecure: true },
  });
  expect(res.status, res.text).toBe(201);
  expect((await call('POST', `/api/v1/dell/endpoints/${res.body.id}/refresh`, 'operator')).status).toBe(200);
  return res.body.id as string;
}

beforeAll(async () => {
  process.env.IDRAC_CONNECT_TIMEOUT_MS = '1000';
  process.env.IDRAC_HEADERS_TIMEOUT_MS = '3000';
  process.env.FIRMWARE_POLL_MS = '100';
  fleet = await SimulatorFleet.start({
    count: 7,
    baseAddress: '127.62.0.1',
    certDir: CERT_DIR,
    speed: 200,
    seed: 'fw-jobs',
    generation: (i) => (i === 1 ? 'idrac8' : 'idrac9'),
    // An iDRAC8 whose firmware predates Redfish: the client must choose WS-Man from what it offers.
    endpoint: (i) => (i === 1 ? { redfish: 'none' } : {}),
  });
  h = await startHarness();
  const si = await call('POST', '/api/v1/service-identities', 'admin', {
    id: 'si-idrac',
    name: 'iDRAC root',
    target_kind: 'idrac',
    username: 'root',
    secret: 'calvin',
  });
  expect(si.status, si.text).toBe(201);
  const site = await call('POST', '/api/v1/sites', 'admin', {
    id: 'site-fw',
    name: 'Firmware lab',
    management_networks: ['127.62.0.0/24'],
    idrac_service_identity_id: 'si-idrac',
  });
  expect(site.status, site.text).toBe(201);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await fleet?.stop();
  delete process.env.FIRMWARE_POLL_MS;
  delete process.env.IDRAC_HEADERS_TIMEOUT_MS;
});

describe('firmware_update on an iDRAC alone', () => {
  it('plans without vCenter steps, stages, reboots, waits and verifies; every JID is a step and in the ledger', async () => {
    const id = await register(0);
    const body = {
      type: 'firmware_update',
      target_ids: [id],
      params: { images: [{ uri: BIOS_DUP, component: 'BIOS', version: '2.19.1' }] },
    };
    const plan = await call('POST', '/api/v1/jobs/plan', 'operator', body);
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.plan).toMatchObject({ refused: false, servers: [{ target_id: id, kind: 'idrac', endpoint_id: id }] });
    expect(plan.body.plan.servers[0].how).toContain('no vCenter steps');
    expect(plan.body.plan.maintenance).toBeUndefined();

    const submitted = await call('POST', '/api/v1/jobs', 'operator', body);
    expect(submitted.status, submitted.text).toBe(202);
    const job = await jobEnd(submitted.body.id);
    expect(job.status, JSON.stringify(job)).toBe('succeeded');
    const names = job.steps.map((s: JobView) => s.name);
    expect(names).not.toContain('Evacuate VMs');
    expect(names).toEqual(expect.arrayContaining(['Check rollout', 'Stage update', 'Reboot server', 'Apply update', 'Verify versions']));
    const staged = job.steps.find((s: JobView) => s.name === 'Stage update');
    expect(staged.external_task_id).toMatch(/^JID_\d+$/);
    const applied = job.steps.find((s: JobView) => s.name === 'Apply update');
    expect(applied).toMatchObject({ external_task_id: staged.external_task_id, status: 'succeeded' });

    const ledger = await call('GET', `/api/v1/dell/endpoints/${id}/idrac-jobs`, 'viewer');
    expect(ledger.status, ledger.text).toBe(200);
    expect(ledger.body.items).toEqual([
      expect.objectContaining({
        jid: staged.external_task_id,
        job_id: job.id,
        component: 'BIOS',
        state: 'completed',
        version_after: '2.19.1',
      }),
    ]);
    expect(job.result.staged_leftovers).toEqual([]);
  });

  it('an unknown endpoint has no idrac-jobs (404)', async () => {
    expect((await call('GET', '/api/v1/dell/endpoints/idrac-nope/idrac-jobs', 'viewer')).status).toBe(404);
  });
});

describe('firmware_update mechanics and safety', () => {
  it('updates an iDRAC8 that offers no Redfish over WS-Man', async () => {
    const id = await register(1);
    const done = await jobEnd(await submit([id], { images: [{ uri: BIOS_DUP, component: 'BIOS' }] }));
    expect(done.status, JSON.stringify(done.steps)).toBe('succeeded');
    const staged = done.steps.find((s: JobView) => s.name === 'Stage update');
    expect(staged.result.method).toBe('wsman_install_from_uri');
    expect(staged.external_task_id).toMatch(/^JID_\d+$/);
  });

  it('a failure injected on one server pauses the rollout before the next, saying why; continue goes on', async () => {
    const [first, second] = [await register(2), await register(3)];
    fleet.endpoint(2).host.updates.failNext('RED007');
    const id = await submit([first, second], { images: [{ uri: BIOS_DUP, component: 'BIOS' }], max_failed_hosts: 0 });
    const paused = await until('paused by the rollout guard', id, (j) => j.status === 'paused');
    expect(paused.waiting_for).toMatchObject({ step: 'Rollout paused', valid_actions: ['continue', 'abort'] });
    expect(paused.waiting_for.message).toContain(`rollout paused before ${second}: 1 server(s) failed (${first}); the job allows 0`);
    expect(paused.steps.some((s: JobView) => s.target_id === second && s.name === 'Stage update')).toBe(false);

    const resumed = await call('POST', `/api/v1/jobs/${id}/resume`, 'operator', { action: 'continue' });
    expect(resumed.status, resumed.text).toBe(200);
    const done = await jobEnd(id);
    expect(done.status).toBe('failed');
    expect(done.result.failed_targets).toEqual([first]);
    expect(done.result.servers.map((s: JobView) => [s.target_id, s.phase])).toEqual([
      [first, 'failed'],
      [second, 'done'],
    ]);
  });

  it('a cancel withdraws the JIDs EIO staged, one by one, and leaves a job EIO did not create in the queue', async () => {
    const id = await register(4);
    const foreign = fleet.endpoint(4).host.updates.submit({
      pkg: { targets: [], version: '9.9.9', packageName: 'NIC_OTHER_TOOL_9.9.9.EXE' },
      applyTime: 'OnReset',
      rebootHost: false,
    });
    await holdReboots(4);
    const jobId = await submit([id], { images: [{ uri: BIOS_DUP, component: 'BIOS' }, { uri: 'https://repo.example/dell/NIC_22.1.EXE' }] });
    const staged = stagedJids(await until('both updates staged', jobId, (j) => stagedJids(j).length === 2));
    expect((await call('POST', `/api/v1/jobs/${jobId}/cancel`, 'operator', { reason: 'test' })).status).toBe(200);
    const undone = await until('compensated', jobId, (j) => j.compensation?.status === 'done');
    await fleet.endpoint(4).setFault(undefined);
    const queue = queueOf(4).map((j) => j.id);
    expect(queue).toContain(foreign.id);
    for (const jid of staged) expect(queue).not.toContain(jid);
    expect(undone.result.idrac_jobs.map((e: JobView) => [e.jid, e.state])).toEqual(staged.map((jid) => [jid, 'deleted']));
    expect(undone.result.staged_leftovers).toEqual([]);
  });

  it('the kill switch: no iDRAC job is created after it, and what is staged is listed on the job', async () => {
    const id = await register(5);
    await holdReboots(5);
    const jobId = await submit([id], { images: [{ uri: BIOS_DUP, component: 'BIOS' }] });
    const staged = stagedJids(await until('staged', jobId, (j) => stagedJids(j).length === 1));
    const activated = await call('POST', '/api/v1/system/kill-switch/activate', 'admin', { reason: 'firmware drill' });
    expect(activated.status, activated.text).toBe(200);
    const queueAtActivation = queueOf(5).map((j) => j.id);
    try {
      const stopped = await until('compensation blocked by the kill switch', jobId, (j) =>
        /kill switch/.test(j.compensation?.detail ?? ''),
      );
      expect(stopped.status).toBe('cancelled');
      expect(stopped.result.staged_leftovers).toEqual([expect.objectContaining({ jid: staged[0], state: 'scheduled', endpoint_id: id })]);
      const ledger = await call('GET', `/api/v1/dell/endpoints/${id}/idrac-jobs`, 'viewer');
      expect(ledger.body.items.map((e: JobView) => e.jid)).toEqual(staged);
      expect(queueOf(5).map((j) => j.id)).toEqual(queueAtActivation);
    } finally {
      await fleet.endpoint(5).setFault(undefined);
      expect((await call('POST', '/api/v1/system/kill-switch/deactivate', 'admin', {})).status).toBe(200);
    }
    const undone = await until('compensated once deactivated', jobId, (j) => j.compensation?.status === 'done');
    expect(undone.result.staged_leftovers).toEqual([]);
    expect(queueOf(5).map((j) => j.id)).not.toContain(staged[0]);
  });
  it('against a baseline: applies only what is older than it, verifies its version, and the server ends compliant', async () => {
    const id = await register(6);
    const bl = await call('POST', '/api/v1/firmware/baselines', 'operator', {
      id: 'fwb-lab',
      name: 'Lab baseline',
      components: [{ name: 'BIOS', fqdd: 'BIOS.Setup.1-1', version: '2.19.1', image_uri: BIOS_DUP }],
    });
    expect(bl.status, bl.text).toBe(201);
    const plan = await call('POST', '/api/v1/jobs/plan', 'operator', {
      type: 'firmware_update',
      target_ids: [id],
      params: { baseline_id: 'fwb-lab' },
    });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.plan.servers).toEqual([
      expect.objectContaining({ target_id: id, images: [{ uri: BIOS_DUP, component: 'BIOS.Setup.1-1', version: '2.19.1' }] }),
    ]);
    // The server's reset answers late, once (well within the client's 3 s): the job runs while the baseline is tried.
    await fleet.endpoint(6).setFault({ kind: 'slow', delayMs: 1_500, match: /ComputerSystem\.Reset/, times: 1 }, 'https');
    const jobId = await submit([id], { baseline_id: 'fwb-lab' });
    // The baseline is held while the job runs (from its plan step on).
    await until('staged', jobId, (j) => stagedJids(j).length === 1);
    expect((await call('DELETE', '/api/v1/firmware/baselines/fwb-lab', 'admin')).status).toBe(409);
    const done = await jobEnd(jobId);
    expect(done.status, JSON.stringify(done.steps)).toBe('succeeded');
    const compliance = await call('GET', `/api/v1/firmware/compliance?endpoint_id=${id}&baseline_id=fwb-lab`, 'viewer');
    expect(compliance.status, compliance.text).toBe(200);
    expect(compliance.body.items[0]).toMatchObject({ endpoint_id: id, status: 'compliant' });
    const again = await call('POST', '/api/v1/jobs/plan', 'operator', {
      type: 'firmware_update',
      target_ids: [id],
      params: { baseline_id: 'fwb-lab' },
    });
    expect(again.body.plan).toMatchObject({ servers: [], up_to_date: [id] });
  });
});
