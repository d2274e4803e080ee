import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { type JobView, type Lab, startLab } from '../support/maintenance-lab';
import { registerSimulatedIdrac } from '../support/simulated-idracs';

/**
 * firmware_update of a vCenter cluster over HTTP on the local stack: vcsim's hosts, each linked to a simulated
 * iDRAC reporting its server's SMBIOS UUID (127.63.0.x). Each host goes through host maintenance's own steps
 * (evacuate, enter maintenance mode) around the firmware steps, one host at a time, and comes back out. A
 * host matching two iDRACs refuses the plan. A power_action on a linked host goes through its iDRAC, and is
 * refused while the host runs VMs out of maintenance.
 */
const CERT_DIR = join(tmpdir(), 'eio-idrac-client-test-certs');
const BIOS_DUP = 'https://repo.example/dell/BIOS_8DHFN_WN64_2.19.1.EXE';

let lab: Lab;
let idracs: SimulatorFleet;
let clusterId: string;

beforeAll(async () => {
  process.env.FIRMWARE_POLL_MS = '100';
  lab = await startLab({ hostsPerCluster: 3, vmsPerHost: 1 });
  const si = await lab.h.call('POST', '/api/v1/service-identities', {
    role: 'admin',
    body: { id: 'si-idrac', name: 'si-idrac', target_kind: 'idrac', username: 'root', secret: 'calvin' },
  });
  expect(si.status, si.text).toBe(201);
  const hosts = (await lab.inventory('hosts')).sort((a, b) => String(a.name).localeCompare(String(b.name)));
  idracs = await SimulatorFleet.start({
    count: hosts.length,
    baseAddress: '127.63.0.1',
    certDir: CERT_DIR,
    speed: 200,
    seed: 'fw-rollout',
    endpoint: (i) => ({ systemUuid: hosts[i]!.hardware_uuid }),
  });
  for (const [i, idrac] of idracs.info().entries())
    await registerSimulatedIdrac(lab.h, `idrac-fw-${i}`, idrac, { site_id: 'site-001', service_identity_id: 'si-idrac' });
  clusterId = (await lab.inventory('clusters'))[0]!.target_id as string;
}, 180_000);

afterAll(async () => {
  await Promise.all([lab?.close(), idracs?.stop()]);
  delete process.env.FIRMWARE_POLL_MS;
});

describe('firmware_update of a cluster', () => {
  it('updates each host inside host maintenance, one at a time; every vSphere task and JID is its step’s external_task_id', async () => {
    const body = { type: 'firmware_update', target_ids: [clusterId], params: { images: [{ uri: BIOS_DUP, component: 'BIOS' }] } };
    const plan = await lab.h.call('POST', '/api/v1/jobs/plan', { role: 'operator', body });
    expect(plan.status, plan.text).toBe(200);
    expect(plan.body.plan.refused).toBe(false);
    expect(plan.body.plan.servers.map((s: JobView) => [s.kind, s.endpoint_id])).toEqual([
      ['host', expect.stringMatching(/^idrac-fw-\d$/)],
      ['host', expect.stringMatching(/^idrac-fw-\d$/)],
      ['host', expect.stringMatching(/^idrac-fw-\d$/)],
    ]);
    expect(plan.body.plan.maintenance.findings).toEqual([]);

    const res = await lab.h.call('POST', '/api/v1/jobs', { role: 'operator', body });
    expect(res.status, res.text).toBe(202);
    const job = await lab.until(res.body.id, ['succeeded', 'failed', 'cancelled']);
    expect(job.status, JSON.stringify(job.steps.filter((s: JobView) => s.status === 'failed'))).toBe('succeeded');

    for (const server of plan.body.plan.servers as JobView[]) {
      const steps = job.steps.filter((s: JobView) => s.target_id === server.target_id);
      const order = [...new Set(steps.map((s: JobView) => s.name))];
      const at = (name: string) => order.indexOf(name);
      for (const name of ['Check rollout', 'Enter maintenance mode', 'Stage update', 'Reboot server', 'Apply update', 'Verify versions'])
        expect(order, `${server.target_id} ran ${name}`).toContain(name);
      expect(at('Enter maintenance mode')).toBeLessThan(at('Stage update'));
      expect(at('Verify versions')).toBeLessThan(at('Exit maintenance mode'));
      expect(steps.find((s: JobView) => s.name === 'Enter maintenance mode').external_task_id).toMatch(/^task-/);
      expect(steps.find((s: JobView) => s.name === 'Stage update').external_task_id).toMatch(/^JID_\d+$/);
    }
    // One host at a time: no host entered maintenance before the previous one had left it.
    const windows = (plan.body.plan.servers as JobView[]).map((s) => {
      const mine = job.steps.filter((x: JobView) => x.target_id === s.target_id);
      return [
        mine.find((x: JobView) => x.name === 'Enter maintenance mode').started_at,
        mine.find((x: JobView) => x.name === 'Exit maintenance mode').finished_at,
      ];
    });
    windows.sort((a: string[], b: string[]) => a[0]!.localeCompare(b[0]!));
    for (let i = 1; i < windows.length; i++) expect(windows[i]![0]! >= windows[i - 1]![1]!).toBe(true);

    expect(await lab.hostsInMaintenance()).toEqual([]);
    expect(job.result.hosts.map((h: JobView) => [h.phase, h.entered_maintenance, h.left_in_maintenance])).toEqual([
      ['done', true, false],
      ['done', true, false],
      ['done', true, false],
    ]);
    expect(job.result.servers.map((s: JobView) => s.phase)).toEqual(['done', 'done', 'done']);
  });
});

describe('a host without exactly one iDRAC', () => {
  it('refuses the plan naming the host and its candidates: EIO never guesses which server an update reaches', async () => {
    const host = (await lab.inventory('hosts')).sort((a, b) => String(a.name).localeCompare(String(b.name)))[1]!;
    const twin = await SimulatorFleet.start({
      count: 1,
      baseAddress: '127.63.0.200',
      certDir: CERT_DIR,
      speed: 200,
      seed: 'fw-twin',
      endpoint: () => ({ systemUuid: host.hardware_uuid }),
    });
    try {
      await registerSimulatedIdrac(lab.h, 'idrac-fw-twin', twin.info()[0]!, { site_id: 'site-001', service_identity_id: 'si-idrac' });
      const body = { type: 'firmware_update', target_ids: [clusterId], params: { images: [{ uri: BIOS_DUP, component: 'BIOS' }] } };
      const plan = await lab.h.call('POST', '/api/v1/jobs/plan', { role: 'operator', body });
      expect(plan.status, plan.text).toBe(200);
      expect(plan.body.plan.refused).toBe(true);
      expect(plan.body.plan.findings).toEqual([
        {
          code: 'ambiguous_idrac_link',
          target_id: host.target_id,
          detail: expect.stringMatching(/matches several iDRAC endpoints: idrac-fw-\d, idrac-fw-twin|idrac-fw-twin, idrac-fw-\d/),
        },
      ]);
    } finally {
      await lab.h.call('DELETE', '/api/v1/dell/endpoints/idrac-fw-twin', { role: 'admin' });
      await twin.stop();
    }
  });
});

describe('power_action on a host', () => {
  const power = async (targetId: string, params: Record<string, unknown>) => {
    const res = await lab.h.call('POST', '/api/v1/jobs', {
      role: 'operator',
      body: { type: 'power_action', target_ids: [targetId], params },
    });
    expect(res.status, res.text).toBe(202);
    return lab.until(res.body.id, ['succeeded', 'failed', 'cancelled']);
  };

  it('refuses to take down a host running VMs out of maintenance mode; with allow_running_vms it goes through its iDRAC', async () => {
    const host = (await lab.inventory('hosts')).sort((a, b) => String(a.name).localeCompare(String(b.name)))[0]!;
    const refused = await power(host.target_id, { action: 'graceful_restart' });
    expect(refused.status).toBe('failed');
    const step = refused.steps.find((s: JobView) => s.name === 'Power action');
    expect(step.error, step.error).toMatch(
      /is not in maintenance mode and runs \d+ powered-on VM\(s\).*host_maintenance with exit_maintenance: false/,
    );

    const done = await power(host.target_id, { action: 'graceful_restart', allow_running_vms: true });
    expect(done.status, JSON.stringify(done.steps)).toBe('succeeded');
    const ok = done.steps.find((s: JobView) => s.name === 'Power action');
    expect(ok.result).toMatchObject({ endpoint_id: host.idrac.endpoint_id, host_id: host.target_id, reset_type: 'GracefulRestart' });
  });
});
