import diagnostics from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { waitFor } from '../support/wait';

/**
 * vcsim stopped mid-sync, over HTTP on the local stack: the run is retried, ends failed with the transport
 * error, the instance's breaker opens and fails the next run at once, and once vcsim is back on the same
 * port a sync succeeds after the breaker's half-open time. Short retry timings via config.
 *
 * No step depends on how fast the machine is, except one the behaviour itself sets: the run that meets the
 * open breaker must start within its half-open time. That time is 30 s, against the second or so those steps
 * take (5 s failed under a loaded full run); the file waits for it once, before the probe that closes it.
 */
const HALF_OPEN_SECONDS = 30;
const ENV = {
  VCENTER_SYNC_MAX_ATTEMPTS: '3',
  VCENTER_SYNC_RETRY_DELAY_SECONDS: '1',
  VCENTER_BREAKER_THRESHOLD: '3',
  VCENTER_BREAKER_HALF_OPEN_SECONDS: String(HALF_OPEN_SECONDS),
};
/** A run's attempts may wait for the half-open time once (the breaker can open during the second). */
const RUN_TIMEOUT_MS = (HALF_OPEN_SECONDS + 90) * 1000;

let h: Harness;
let sim: Vcsim;
let port: number;

beforeAll(async () => {
  Object.assign(process.env, ENV); // read by the stack's config at start
  // 1,200 VMs: more than one 1,000-object page, so the sync is killed after it has made progress.
  sim = await startVcsim({ clusters: 1, hostsPerCluster: 4, vmsPerHost: 300 });
  port = Number(new URL(sim.url).port);
  h = await startHarness();
  await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-001', name: 'Lab' } });
  const si = await h.call('POST', '/api/v1/service-identities', {
    role: 'admin',
    body: { id: 'si-vc', name: 'vc', target_kind: 'vcenter', username: sim.user, secret: sim.password },
  });
  expect(si.status, si.text).toBe(201);
  // vcsim makes a new certificate at every start; the restarted one must meet the same client (and breaker),
  // so this instance opts out of verification. Trust is vcenter.test.ts's subject, not this file's.
  const vc = await h.call('POST', '/api/v1/vcenter/instances', {
    role: 'admin',
    body: { id: 'vc-flaky', url: sim.url, site_id: 'site-001', service_identity_id: 'si-vc', tls: { insecure: true } },
  });
  expect(vc.status, vc.text).toBe(201);
}, 240_000);

afterAll(async () => {
  await h?.close();
  await sim?.stop();
  for (const k of Object.keys(ENV)) delete process.env[k];
});

async function requestSync(syncType: 'full' | 'delta'): Promise<string> {
  const res = await h.call('POST', '/api/v1/vcenter/sync', { role: 'operator', body: { instance_ids: ['vc-flaky'], sync_type: syncType } });
  expect(res.status, res.text).toBe(202);
  return res.body.sync_run_ids[0];
}

/** Polls the run until it ends; `seen` collects every status it showed on the way. */
async function untilEnded(id: string, seen: Set<string> = new Set()) {
  return waitFor(
    `sync run ${id} to end`,
    async () => {
      const run = (await h.call('GET', `/api/v1/vcenter/sync-runs/${id}`, { role: 'viewer' })).body;
      seen.add(run.status);
      return run.status === 'succeeded' || run.status === 'failed' ? run : undefined;
    },
    RUN_TIMEOUT_MS,
    50,
  );
}

const CIRCUIT_OPEN = /^vCenter vc-flaky circuit open after (\d+) consecutive failures; next attempt allowed after (\S+);/;
let fastFailure: { error: string } | undefined;

describe('vCenter stopped mid-sync', () => {
  it(
    'the run is retried, ends failed naming the transport failure, and the open breaker then fails a new run at once',
    async () => {
      // Kill vcsim when the sync asks for its second page (connected, logged in, 1,000 objects in): as the request
      // is created, before it is written, so vcsim can never answer it however the two processes are scheduled.
      // The full read's pages are WaitForUpdatesEx answers: the second one asks for the second page.
      let killed: Promise<void> | undefined;
      let pages = 0;
      const onCreate = (message: unknown) => {
        const request = (message as { request: { origin?: unknown; body?: unknown } }).request;
        if (killed || !String(request.origin).endsWith(`:${port}`)) return;
        const body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : String(request.body ?? '');
        if (body.includes('<WaitForUpdatesEx') && ++pages === 2) killed = sim.kill(); // SIGKILL is sent before this returns
      };
      diagnostics.subscribe('undici:request:create', onCreate);
      const seen = new Set<string>();
      let run: any;
      try {
        run = await untilEnded(await requestSync('full'), seen);
      } finally {
        diagnostics.unsubscribe('undici:request:create', onCreate);
      }
      expect(killed, 'vcsim was killed mid-retrieval').toBeDefined();
      await killed;

      expect(run).toMatchObject({ status: 'failed', attempts: 3, max_attempts: 3, sync_type: 'full' });
      expect(seen).toContain('retrying');
      expect(run.attempt_errors.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2, 3]);
      // The first attempt died with the connection it was reading a page on; later ones found nobody listening.
      expect(run.attempt_errors[0].error).toMatch(/^vCenter unreachable: Connection to vCenter \S+ failed during WaitForUpdatesEx: /);
      expect(run.error).toMatch(/^vCenter unreachable: .*ECONNREFUSED/);
      expect(run.counts).toBeUndefined();

      const instance = (await h.call('GET', '/api/v1/vcenter/instances/vc-flaky', { role: 'viewer' })).body;
      expect(instance).toMatchObject({
        reachable: false,
        last_contact_error: run.error,
        last_sync: { id: run.id, status: 'failed', attempts: 3, error: run.error, finished_at: run.finished_at },
        client: { breaker: 'open', consecutive_failures: expect.any(Number), breaker_retry_at: expect.any(String) },
      });
      expect(instance.client.consecutive_failures).toBeGreaterThanOrEqual(3);
      const openUntil = Date.parse(instance.client.breaker_retry_at);
      // The shared board shows it whichever container answers, on the instance and among the upstreams.
      const shared = { state: 'open', next_attempt_at: instance.client.breaker_retry_at };
      expect(instance.breaker).toMatchObject(shared);
      const upstreams = (await h.call('GET', '/api/v1/upstreams?kind=vcenter', { role: 'viewer' })).body.items;
      expect(upstreams).toEqual([
        expect.objectContaining({ id: 'vcenter:vc-flaky', name: expect.any(String), breaker: expect.objectContaining(shared) }),
      ]);
      // Beside the breaker, the limits the client enforces: the thresholds this stack was configured with.
      expect(upstreams[0].limits).toMatchObject({
        max_concurrent_requests: expect.any(Number),
        breaker: { failure_threshold: 3, half_open_after_ms: HALF_OPEN_SECONDS * 1000 },
      });

      // Health, per instance.
      const health = await h.call('GET', '/api/v1/health');
      expect(health.status).toBe(503);
      expect(health.body.components.vcenter_api.status).toBe('critical');
      expect(health.body.components.vcenter_api.instances['vc-flaky']).toEqual({
        status: 'critical',
        message: expect.stringMatching(
          /^unreachable: vCenter unreachable: .*ECONNREFUSED.*; never synced successfully \(registered \d+ min ago\)$/,
        ),
        sync_age_minutes: null,
        reachable: false,
        last_sync: {
          id: run.id,
          type: 'full',
          status: 'failed',
          finished_at: run.finished_at,
          error: run.error,
          attempts: 3,
          next_attempt_at: null,
        },
      });

      // A new run while the breaker is open: failed at once, not retried, saying when vCenter will be tried again.
      const fast = await untilEnded(await requestSync('delta'));
      expect(fast).toMatchObject({ status: 'failed', attempts: 1 });
      expect(fast.attempt_errors).toHaveLength(1);
      const [, failures, retryAt] = CIRCUIT_OPEN.exec(fast.error) ?? [];
      expect(fast.error, 'the circuit-open message').toMatch(CIRCUIT_OPEN);
      expect(Number(failures)).toBeGreaterThanOrEqual(3);
      expect(Date.parse(retryAt!)).toBeGreaterThan(Date.parse(fast.started_at));
      expect(fast.error).toContain('ECONNREFUSED'); // the last failure behind it
      // It met the breaker that the retried run left open (not one opened again since).
      expect(Date.parse(retryAt!)).toBe(openUntil);
      const after = (await h.call('GET', '/api/v1/vcenter/instances/vc-flaky', { role: 'viewer' })).body;
      expect(after.last_sync).toMatchObject({ id: fast.id, status: 'failed', error: fast.error });
      expect(after.reachable).toBe(false);
      fastFailure = fast;
    },
    RUN_TIMEOUT_MS + 60_000,
  );

  it(
    'vcsim back on the same port: after the half-open time a sync succeeds and the breaker closes',
    async () => {
      expect(fastFailure, 'the previous test left the breaker open').toBeDefined();
      const retryAt = Date.parse(CIRCUIT_OPEN.exec(fastFailure!.error)![2]!);
      sim = await startVcsim({ port, clusters: 1, hostsPerCluster: 2, vmsPerHost: 2 });
      expect(sim.url).toBe(`https://127.0.0.1:${port}/sdk`);
      const probeAllowed = async () => (Date.now() > retryAt ? true : undefined);
      await waitFor('the breaker to allow a probe', probeAllowed, (HALF_OPEN_SECONDS + 5) * 1000, 100);

      const run = await untilEnded(await requestSync('full'));
      expect(run.status, run.error).toBe('succeeded');
      expect(run).toMatchObject({ attempts: 1, executed_type: 'full', counts: { vms: sim.counts.vms, hosts: sim.counts.hosts } });
      expect(run.error).toBeUndefined();

      const instance = (await h.call('GET', '/api/v1/vcenter/instances/vc-flaky', { role: 'viewer' })).body;
      expect(instance).toMatchObject({
        reachable: true,
        sync_age_minutes: 0,
        last_sync: { id: run.id, status: 'succeeded' },
        client: { breaker: 'closed', consecutive_failures: 0 },
      });
      expect(instance.last_contact_error).toBeUndefined();
      await waitFor('the board to show the breaker closed', async () => {
        const [vc] = (await h.call('GET', '/api/v1/upstreams?kind=vcenter', { role: 'viewer' })).body.items;
        return vc.breaker.state === 'closed' ? vc : undefined;
      });
      const health = await h.call('GET', '/api/v1/health');
      expect(health.body.components.vcenter_api.instances['vc-flaky']).toMatchObject({
        status: 'ok',
        reachable: true,
        sync_age_minutes: 0,
        message: 'last successful sync 0 min ago',
        last_sync: { id: run.id, type: 'full', status: 'succeeded', error: null },
      });
    },
    RUN_TIMEOUT_MS + 60_000,
  );

  it('an admin resets the breaker in every container: the board says so, audited', async () => {
    const reset = await h.call('POST', '/api/v1/upstreams/vcenter:vc-flaky/reset', { role: 'admin' });
    expect(reset.status, reset.text).toBe(200);
    expect(reset.body).toMatchObject({ id: 'vcenter:vc-flaky', breaker: { state: 'closed', reset_by: 'test-admin' } });
    const audit = (await h.call('GET', '/api/v1/audit?entity=vcenter:vc-flaky', { role: 'viewer' })).body.items;
    expect(audit).toEqual([expect.objectContaining({ action: 'upstream.reset', actor: 'test-admin' })]);
    expect((await h.call('POST', '/api/v1/upstreams/vcenter:vc-flaky/reset', { role: 'operator' })).status).toBe(403);
  });
});
