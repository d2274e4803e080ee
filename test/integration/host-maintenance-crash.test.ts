import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VSphereInstanceClient } from '../../shared/adapters/vsphere';
import { type Harness, startHarness } from '../support/harness';
import type { JobView } from '../support/maintenance-lab';
import { startStackProcess, stopStackProcesses } from '../support/stack-process';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { waitFor } from '../support/wait';
import { clientFor } from '../vsphere/helpers';

/**
 * kill -9 of the local stack while a host_maintenance job works on a host, then a restart on the same data
 * directory: the job resumes (it is resumable after a crash), awaits the vSphere tasks the dead process left
 * running, brings the host out of maintenance and gives its lock back. vcsim is a process of its own and goes
 * on working through the crash, as vCenter would.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'eio-maint-crash-'));
const TASK_DELAY_MS = 1_500;

let sim: Vcsim;
let vc: VSphereInstanceClient;
let harness: Harness | undefined;
/** The cluster's hosts as the first sync stored them, the one with the most powered-on VMs first. */
let hosts: { target_id: string; moref: string; vms: string[] }[];

/** The stack as a process of its own, driven over HTTP as an admin, until the test kills it. */
async function childStack() {
  const started = await startStackProcess(dataDir);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await started.call(method, path, body);
    return { ...res, body: res.body as JobView };
  };
  return { call, kill: started.kill };
}

const inMaintenance = async (moref: string) =>
  (await vc.soap.getProperties({ type: 'HostSystem', value: moref }, ['runtime.inMaintenanceMode']))['runtime.inMaintenanceMode'] === true;

const jobAfterRestart = async (id: string) => (await harness!.call('GET', `/api/v1/jobs/${id}`, { role: 'viewer' })).body;
const endOf = (id: string) =>
  waitFor(
    `job ${id} to end`,
    async () => {
      const j = await jobAfterRestart(id);
      return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
    },
    90_000,
    100,
  );

type Step = { step_id: string; name: string; status: string; external_task_id?: string; result?: { subject?: string } };

beforeAll(async () => {
  sim = await startVcsim({ clusters: 1, hostsPerCluster: 3, vmsPerHost: 4, taskDelayMs: TASK_DELAY_MS });
  vc = new VSphereInstanceClient(clientFor(sim));
}, 120_000);

afterEach(stopStackProcesses);

afterAll(async () => {
  await harness?.close();
  await vc?.close();
  await sim?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a host maintenance job whose process is killed', () => {
  it('mid-evacuation: resumes, awaits the migrations it left running, leaves maintenance and releases the host', async () => {
    const stack = await childStack();
    expect((await stack.call('POST', '/api/v1/sites', { id: 'site-001', name: 'Lab' })).status).toBe(201);
    const si = await stack.call('POST', '/api/v1/service-identities', {
      id: 'si-vc',
      name: 'si-vc',
      target_kind: 'vcenter',
      username: sim.user,
      secret: sim.password,
    });
    expect(si.status, si.text).toBe(201);
    const created = await stack.call('POST', '/api/v1/vcenter/instances', {
      id: 'vc-001',
      url: sim.url,
      site_id: 'site-001',
      service_identity_id: 'si-vc',
      tls: { ca_pem: sim.certPem },
    });
    expect(created.status, created.text).toBe(201);
    const sync = await stack.call('POST', '/api/v1/vcenter/sync', { instance_ids: ['vc-001'], sync_type: 'full' });
    expect(sync.status, sync.text).toBe(202);
    await waitFor(
      'full sync',
      async () =>
        (await stack.call('GET', `/api/v1/vcenter/sync-runs/${sync.body.sync_run_ids[0]}`)).body.status === 'succeeded' ? true : undefined,
      60_000,
      100,
    );
    const listed = (await stack.call('GET', '/api/v1/vcenter/instances/vc-001/hosts?limit=200')).body.items as JobView[];
    const vms = (await stack.call('GET', '/api/v1/vcenter/instances/vc-001/vms?limit=200')).body.items as JobView[];
    hosts = listed
      .map((x) => ({
        target_id: x.target_id as string,
        moref: x.id as string,
        vms: vms.filter((v) => v.host === x.id && v.power_state === 'poweredOn').map((v) => v.id as string),
      }))
      .sort((a, b) => b.vms.length - a.vms.length);
    const host = hosts[0]!;
    expect(host.vms.length, JSON.stringify(vms)).toBeGreaterThan(1);

    const submitted = await stack.call('POST', '/api/v1/jobs', {
      type: 'host_maintenance',
      target_ids: [host.target_id],
      params: { migrations_per_host: 1 },
    });
    expect(submitted.status, submitted.text).toBe(202);
    const id = submitted.body.id as string;
    // One migration at a time, each taking a while: the kill lands while one runs and others wait their turn.
    const atCrash = await waitFor(
      'a migration running',
      async () => {
        const steps = (await stack.call('GET', `/api/v1/jobs/${id}`)).body.steps as Step[];
        return steps.some((s) => s.name === 'Migrate VM' && s.status === 'running') ? steps : undefined;
      },
      60_000,
    );
    await stack.kill();
    const runningAtCrash = atCrash.filter((s) => s.name === 'Migrate VM' && s.status === 'running');

    harness = await startHarness({ dataDir });
    const done = await endOf(id);
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    expect(done.execution_attempt).toBe(2);
    const steps = done.steps as Step[];
    for (const s of runningAtCrash) {
      const after = steps.find((x) => x.step_id === s.step_id);
      expect(after?.status, `step ${s.step_id} (${s.external_task_id})`).toBe('succeeded');
    }
    // No vSphere task left running ("Finish job" itself records its end an instant after the job's).
    expect(steps.filter((s) => s.external_task_id && s.status === 'running')).toEqual([]);
    // Each VM migrated once: the task the dead process started was awaited, not started again.
    const migrated = steps.filter((s) => s.name === 'Migrate VM').map((s) => s.result?.subject);
    expect(new Set(migrated).size).toBe(migrated.length);
    expect([...migrated].sort()).toEqual([...host.vms].sort());
    expect(steps.map((s) => s.name)).toEqual(expect.arrayContaining(['Enter maintenance mode', 'Exit maintenance mode']));
    expect(await inMaintenance(host.moref)).toBe(false);
    expect(done.result.hosts).toEqual([
      expect.objectContaining({
        host_id: host.target_id,
        phase: 'done',
        entered_maintenance: true,
        left_in_maintenance: false,
        vms_moved: expect.arrayContaining(migrated.map((vm) => expect.objectContaining({ vm_id: vm }))),
      }),
    ]);
    expect(done.result.hosts[0].vms_moved).toHaveLength(migrated.length);

    // The host's lock went with the job: a second job on it takes the host and does its work.
    const second = await harness.call('POST', '/api/v1/jobs', {
      role: 'operator',
      body: { type: 'host_maintenance', target_ids: [host.target_id] },
    });
    expect(second.status, second.text).toBe(202);
    const secondDone = await endOf(second.body.id);
    expect(secondDone.status, JSON.stringify(secondDone)).toBe('succeeded');
    expect(secondDone.result.hosts[0]).toMatchObject({ host_id: host.target_id, phase: 'done', left_in_maintenance: false });
  }, 240_000);

  it('with the host going into maintenance: after the restart it leaves maintenance and the result says so', async () => {
    await harness?.close(); // none when the first test failed before its restart
    harness = undefined;
    const stack = await childStack();
    const host = hosts[1]!;
    const submitted = await stack.call('POST', '/api/v1/jobs', { type: 'host_maintenance', target_ids: [host.target_id] });
    expect(submitted.status, submitted.text).toBe(202);
    const id = submitted.body.id as string;
    // Killed while EnterMaintenanceMode runs, so vCenter completes it with no EIO process alive: the host sits
    // in maintenance mode, entered by a job that nothing runs, until the restart.
    await waitFor(
      'entering maintenance mode',
      async () => {
        const steps = (await stack.call('GET', `/api/v1/jobs/${id}`)).body.steps as Step[];
        return steps.some((s) => s.name === 'Enter maintenance mode' && s.status === 'running') ? true : undefined;
      },
      60_000,
    );
    await stack.kill();
    await waitFor('the host in maintenance mode', async () => ((await inMaintenance(host.moref)) ? true : undefined), 30_000, 100);

    harness = await startHarness({ dataDir });
    const done = await endOf(id);
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    expect(done.execution_attempt).toBe(2);
    const steps = done.steps as Step[];
    expect(steps.filter((s) => s.external_task_id && s.status === 'running')).toEqual([]);
    expect(steps.filter((s) => s.name === 'Enter maintenance mode').map((s) => s.status)).toEqual(['succeeded']);
    expect(steps.filter((s) => s.name === 'Exit maintenance mode').map((s) => s.status)).toEqual(['succeeded']);
    expect(await inMaintenance(host.moref)).toBe(false);
    expect(done.result.hosts).toEqual([
      expect.objectContaining({ host_id: host.target_id, phase: 'done', entered_maintenance: true, left_in_maintenance: false }),
    ]);
  }, 240_000);
});
