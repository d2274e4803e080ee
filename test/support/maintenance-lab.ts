import { expect } from 'vitest';
import type { VSphereClient } from '../../shared/adapters/vsphere';
import type { MoRef } from '../../shared/adapters/vsphere/types';
import { clientFor } from '../vsphere/helpers';
import { type Harness, startHarness } from './harness';
import { startVcsim, type Vcsim, type VcsimOptions } from './vcsim';
import { waitFor } from './wait';

/**
 * A host maintenance lab for integration tests: vcsim registered as vc-001 on a fresh local stack and synced,
 * driven over HTTP, with a vSphere client of the test's own to read what vcsim says (maintenance mode, the
 * tasks it received) independently of EIO.
 */
/** A job or inventory item as the API answers it (JSON, read loosely by the tests). */
// biome-ignore lint/suspicious/noExplicitAny: API answers are read as JSON
export type JobView = Record<string, any>;
type InventoryItem = JobView;

export type Lab = {
  h: Harness;
  sim: Vcsim;
  vc: VSphereClient;
  inventory(kind: 'hosts' | 'vms' | 'clusters'): Promise<InventoryItem[]>;
  sync(): Promise<void>;
  submit(targetIds: string[], params?: Record<string, unknown>): Promise<string>;
  job(id: string): Promise<JobView>;
  until(id: string, statuses: string[]): Promise<JobView>;
  waitJob(what: string, id: string, check: (job: JobView) => boolean): Promise<JobView>;
  /** Host morefs vcsim says are in maintenance mode now. */
  hostsInMaintenance(): Promise<string[]>;
  /** The vSphere tasks vcsim queued after this instant (its TaskManager's recent tasks, by info.queueTime). */
  tasksQueuedSince(instant: number): Promise<{ task: string; method: string; queued: string }[]>;
  close(): Promise<void>;
};

const JOB_WAIT_MS = 90_000;

export async function startLab(options: VcsimOptions): Promise<Lab> {
  const sim = await startVcsim({ clusters: 1, hostsPerCluster: 3, vmsPerHost: 2, ...options });
  const h = await startHarness();
  const vc = clientFor(sim);
  await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-001', name: 'Lab' } });
  await h.call('POST', '/api/v1/service-identities', {
    role: 'admin',
    body: { id: 'si-vc', name: 'si-vc', target_kind: 'vcenter', username: sim.user, secret: sim.password },
  });
  const created = await h.call('POST', '/api/v1/vcenter/instances', {
    role: 'admin',
    body: { id: 'vc-001', url: sim.url, site_id: 'site-001', service_identity_id: 'si-vc', tls: { ca_pem: sim.certPem } },
  });
  expect(created.status, created.text).toBe(201);

  const job = async (id: string) => {
    const res = await h.call('GET', `/api/v1/jobs/${id}`, { role: 'viewer' });
    expect(res.status, res.text).toBe(200);
    return res.body as JobView;
  };
  const waitJob = async (what: string, id: string, check: (j: JobView) => boolean) => {
    let last: JobView | undefined;
    try {
      return await waitFor(
        `job ${id}: ${what}`,
        async () => {
          last = await job(id);
          return check(last) ? last : undefined;
        },
        JOB_WAIT_MS,
        100,
      );
    } catch (e) {
      // What the job was doing says more than the timeout.
      const steps = (last?.steps ?? []).map((s: JobView) => `${s.name} ${s.target_id ?? ''} ${s.status} ${s.error ?? ''}`);
      throw new Error(`${(e as Error).message}; last seen: ${JSON.stringify({ ...last, steps })}`);
    }
  };
  const lab: Lab = {
    h,
    sim,
    vc,
    async inventory(kind) {
      const res = await h.call('GET', `/api/v1/vcenter/instances/vc-001/${kind}?limit=200`, { role: 'viewer' });
      expect(res.status, res.text).toBe(200);
      return res.body.items as InventoryItem[];
    },
    async sync() {
      const res = await h.call('POST', '/api/v1/vcenter/sync', { role: 'operator', body: { instance_ids: ['vc-001'], sync_type: 'full' } });
      expect(res.status, res.text).toBe(202);
      await waitFor(
        'full sync',
        async () => {
          const run = await h.call('GET', `/api/v1/vcenter/sync-runs/${res.body.sync_run_ids[0]}`, { role: 'viewer' });
          if (run.body.status === 'failed') throw new Error(`sync failed: ${run.text}`);
          return run.body.status === 'succeeded' ? run.body : undefined;
        },
        60_000,
        100,
      );
    },
    async submit(targetIds, params = {}) {
      const res = await h.call('POST', '/api/v1/jobs', {
        role: 'operator',
        body: { type: 'host_maintenance', target_ids: targetIds, params },
      });
      expect(res.status, res.text).toBe(202);
      return res.body.id as string;
    },
    job,
    until: (id, statuses) => waitJob(`in ${statuses.join('/')}`, id, (j) => statuses.includes(j.status)),
    waitJob,
    async hostsInMaintenance() {
      const hosts = (await lab.inventory('hosts')).map((x) => x.id as string);
      const states = await Promise.all(
        hosts.map(async (id) => [id, await vc.getProperties({ type: 'HostSystem', value: id }, ['runtime.inMaintenanceMode'])] as const),
      );
      return states.filter(([, p]) => p['runtime.inMaintenanceMode'] === true).map(([id]) => id);
    },
    async tasksQueuedSince(instant) {
      const taskManager = (await vc.retrieveServiceContent()).taskManager as MoRef;
      const recent = (await vc.getProperties(taskManager, ['recentTask'])).recentTask;
      const refs = (Array.isArray(recent) ? recent : recent ? [recent] : []) as MoRef[];
      const infos = await Promise.all(
        refs.map(async (task) => {
          const p = await vc.getProperties(task, ['info.queueTime', 'info.descriptionId']);
          return { task: task.value, method: String(p['info.descriptionId']), queued: String(p['info.queueTime']) };
        }),
      );
      return infos.filter((t) => Date.parse(t.queued) >= instant);
    },
    async close() {
      await vc.close().catch(() => undefined);
      await h.close();
      await sim.stop();
    },
  };
  await lab.sync();
  return lab;
}

type Step = { name: string; status: string; target_id?: string; started_at: string; finished_at?: string; external_task_id?: string };

/** The steps of a job with this name, and of this host when given. */
export const stepsNamed = (job: JobView, name: string, targetId?: string): Step[] =>
  (job.steps as Step[]).filter((s) => s.name === name && (targetId === undefined || s.target_id === targetId));

/**
 * The most hosts that were in (or on their way into) maintenance at once, from the job's own steps: a host
 * counts from the start of its "Enter maintenance mode" task to the end of its "Exit maintenance mode" task.
 */
export function mostHostsInMaintenanceAtOnce(job: JobView): number {
  const edges: [number, number][] = [];
  for (const enter of stepsNamed(job, 'Enter maintenance mode')) {
    const exit = stepsNamed(job, 'Exit maintenance mode', enter.target_id).find((s) => s.started_at >= enter.started_at);
    expect(exit?.finished_at, `exit of ${enter.target_id}`).toBeDefined();
    edges.push([Date.parse(enter.started_at), 1], [Date.parse(exit!.finished_at!), -1]);
  }
  // Ends before starts at the same instant: touching intervals do not overlap.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of edges) most = Math.max(most, (now += delta));
  return most;
}

/**
 * Shows a host's lock is free: a second job on it plans (taking the lock) instead of failing on it; that job is
 * then cancelled and its compensation awaited, so the host is free again after.
 */
export async function provesLockFree(lab: Lab, targetId: string): Promise<void> {
  const id = await lab.submit([targetId], { migrations_per_host: 1 });
  const started = await lab.waitJob(
    'planned or ended',
    id,
    (j) => stepsNamed(j, 'Plan evacuation').some((s) => s.status !== 'running') || j.status === 'failed',
  );
  // A host still locked fails the job in its plan step with "host '…' is locked by job '…'".
  expect(started.status, started.status_reason).not.toBe('failed');
  const cancel = await lab.h.call('POST', `/api/v1/jobs/${id}/cancel`, { role: 'operator', body: {} });
  expect([200, 409], cancel.text).toContain(cancel.status);
  const ended = await lab.waitJob('ended and undone', id, (j) => j.status === 'succeeded' || j.compensation?.status === 'done');
  expect(['cancelled', 'succeeded']).toContain(ended.status);
}
