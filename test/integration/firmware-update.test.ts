import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { type Harness, startHarness } from '../support/harness';
import type { JobView } from '../support/maintenance-lab';
import { waitFor } from '../support/wait';

/**
 * firmware_update on iDRACs no vCenter host is linked to, over HTTP on the real local stack against simulated
 * iDRACs: the plan says no vCenter steps, each JID is its step's external_task_id and in the endpoint's ledger,
 * an iDRAC8 is updated over WS-Man, and a job EIO did not create stays in the queue untouched.
 * This file's addresses: 127.62.0.x.
 */
const CERT_DIR = join(tmpdir(), 'eio-idrac-client-test-certs');
const BIOS_DUP = 'https://repo.example/dell/BIOS_8DHFN_WN64_2.19.1.EXE';

let h: Harness;
let fleet: SimulatorFleet;

const call = async (method: string, path: string, role: 'viewer' | 'operator' | 'admin', body?: unknown) => {
  const res = await h.call(method, path, { role, ...(body === undefined ? {} : { body }) });
  return { ...res, body: res.body as JobView };
};

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
  const res = await call('POST', '/api/v1/dell/endpoints', 'operator', {
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
  process.env.FIRMWARE_POLL_MS = '100';
  fleet = await SimulatorFleet.start({
    count: 2,
    baseAddress: '127.62.0.1',
    certDir: CERT_DIR,
    speed: 200,
    seed: 'fw-jobs',
    generation: (i) => (i === 1 ? 'idrac8' : 'idrac9'),
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
  const site = await call('POST', '/api/v1/sites', 'operator', { id: 'site-fw', name: 'Firmware lab', idrac_service_identity_id: 'si-idrac' });
  expect(site.status, site.text).toBe(201);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await fleet?.stop();
  delete process.env.FIRMWARE_POLL_MS;
});

describe('firmware_update on an iDRAC alone', () => {
  it('plans without vCenter steps, stages, reboots, waits and verifies; every JID is a step and in the ledger', async () => {
    const id = await register(0);
    const body = { type: 'firmware_update', target_ids: [id], params: { images: [{ uri: BIOS_DUP, component: 'BIOS', version: '2.19.1' }] } };
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
      expect.objectContaining({ jid: staged.external_task_id, job_id: job.id, component: 'BIOS', state: 'completed', version_after: '2.19.1' }),
    ]);
    expect(job.result.staged_leftovers).toEqual([]);
  });

  it('an unknown endpoint has no idrac-jobs (404)', async () => {
    expect((await call('GET', '/api/v1/dell/endpoints/idrac-nope/idrac-jobs', 'viewer')).status).toBe(404);
  });
});
