import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoRef, VSphereClient } from '../../shared/adapters/vsphere';
import { EvacuationOptions } from '../../shared/domain/evacuation-plan';
import { observationsAt } from '../../shared/records/ip-observations';
import { vcenterInstances } from '../../shared/records/vcenter';
import { planEvacuation } from '../../shared/usecases/evacuation-plan';
import { type Harness, startHarness } from '../support/harness';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { waitFor } from '../support/wait';
import { clientFor } from '../vsphere/helpers';

/** vCenter over HTTP on the local stack, against a real vcsim. */
let h: Harness;
let sim: Vcsim;
let vc: VSphereClient;

beforeAll(async () => {
  // One attempt per run here: a dead vCenter fails its run at once. Retries and the breaker are
  // vcenter-resilience.test.ts's subject.
  process.env.VCENTER_SYNC_MAX_ATTEMPTS = '1';
  // A run queued behind another looks again every second.
  process.env.VCENTER_SYNC_WAIT_SECONDS = '1';
  sim = await startVcsim({ clusters: 2, hostsPerCluster: 2, vmsPerHost: 2, standaloneHosts: 1 });
  h = await startHarness();
  vc = clientFor(sim);
  await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-001', name: 'Lab' } });
  for (const [id, kind, secret] of [
    ['si-vc', 'vcenter', sim.password],
    ['si-vc-wrong', 'vcenter', 'not-the-password'],
    ['si-idrac', 'idrac', 'x'],
  ] as const) {
    const res = await h.call('POST', '/api/v1/service-identities', {
      role: 'admin',
      body: { id, name: id, target_kind: kind, username: sim.user, secret },
    });
    expect(res.status).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await vc?.close().catch(() => undefined);
  await h?.close();
  await sim?.stop();
});

const instanceBody = (over: Record<string, unknown> = {}) => ({
  id: 'vc-001',
  url: sim.url,
  site_id: 'site-001',
  service_identity_id: 'si-vc',
  tls: { ca_pem: sim.certPem },
  ...over,
});

async function sync(ids: string[], syncType: 'full' | 'delta') {
  const res = await h.call('POST', '/api/v1/vcenter/sync', { role: 'operator', body: { instance_ids: ids, sync_type: syncType } });
  expect(res.status, res.text).toBe(202);
  return Promise.all(
    (res.body.sync_run_ids as string[]).map((id) =>
      waitFor(
        `sync run ${id}`,
        async () => {
          const run = await h.call('GET', `/api/v1/vcenter/sync-runs/${id}`, { role: 'viewer' });
          return run.body.status === 'succeeded' || run.body.status === 'failed' ? run.body : undefined;
        },
        60_000,
        100,
      ),
    ),
  );
}

async function vms(query = '') {
  const res = await h.call('GET', `/api/v1/vcenter/instances/vc-001/vms?limit=200${query}`, { role: 'viewer' });
  expect(res.status, res.text).toBe(200);
  return res.body.items as { id: string; name: string; power_state: string; host: string; cluster?: string; uuid: string }[];
}

describe('vCenter instances', () => {
  it('refuses invalid input with field paths', async () => {
    const bad = await h.call('POST', '/api/v1/vcenter/instances', {
      role: 'admin',
      body: instanceBody({ id: 'VC_1', url: 'http://vc/sdk', tls: { pinned_thumbprint: 'zz' } }),
    });
    expect(bad.status).toBe(400);
    const paths = (bad.body.error.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.id', 'body.url']));
    expect(paths.some((p) => p.startsWith('body.tls'))).toBe(true);
    const refs = await h.call('POST', '/api/v1/vcenter/instances', {
      role: 'admin',
      body: instanceBody({ site_id: 'site-404', service_identity_id: 'si-idrac' }),
    });
    expect(refs.status).toBe(400);
    expect(refs.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'body.site_id', message: "site 'site-404' does not exist" },
        { path: 'body.service_identity_id', message: expect.stringContaining('idrac, not vcenter') },
      ]),
    );
    const noTls = await h.call('POST', '/api/v1/vcenter/instances', { role: 'admin', body: instanceBody({ tls: {} }) });
    expect(noTls.status).toBe(400);
    expect((await h.call('POST', '/api/v1/vcenter/instances', { role: 'operator', body: instanceBody() })).status).toBe(403);
  });

  it('creates, reads, lists, updates; 404 and 409 where due', async () => {
    const res = await h.call('POST', '/api/v1/vcenter/instances', { role: 'admin', body: instanceBody() });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('location')).toBe('/api/v1/vcenter/instances/vc-001');
    expect(res.body).toMatchObject({ id: 'vc-001', url: sim.url, reachable: null, sync_age_minutes: null, version: 1 });
    expect((await h.call('POST', '/api/v1/vcenter/instances', { role: 'admin', body: instanceBody() })).status).toBe(409);
    expect((await h.call('GET', '/api/v1/vcenter/instances/vc-404', { role: 'viewer' })).status).toBe(404);
    const list = await h.call('GET', '/api/v1/vcenter/instances', { role: 'viewer' });
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain('vc-001');
    const patched = await h.call('PATCH', '/api/v1/vcenter/instances/vc-001', {
      role: 'admin',
      body: { description: 'lab vcsim', version: 1 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.description).toBe('lab vcsim');
    // Its site and service identity are in use now.
    const delSite = await h.call('DELETE', '/api/v1/sites/site-001', { role: 'admin' });
    expect(delSite.status).toBe(409);
    expect(delSite.body.error.message).toContain("vCenter instance 'vc-001'");
    expect((await h.call('DELETE', '/api/v1/service-identities/si-vc', { role: 'admin' })).status).toBe(409);
  });
});

describe('vCenter sync', () => {
  it('refuses unknown instance ids, naming them', async () => {
    const res = await h.call('POST', '/api/v1/vcenter/sync', {
      role: 'operator',
      body: { instance_ids: ['vc-001', 'vc-nope', 'vc-gone'], sync_type: 'full' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('vc-nope');
    expect(res.body.error.details).toEqual([
      { path: 'body.instance_ids[1]', message: "vCenter instance 'vc-nope' does not exist" },
      { path: 'body.instance_ids[2]', message: "vCenter instance 'vc-gone' does not exist" },
    ]);
    expect((await h.call('GET', '/api/v1/vcenter/sync-runs/sync-404', { role: 'viewer' })).status).toBe(404);
  });

  it('full sync: counts equal what vcsim holds; a second full sync writes nothing', async () => {
    const [run] = await sync(['vc-001'], 'full');
    expect(run.status, run.error).toBe('succeeded');
    expect(run).toMatchObject({ executed_type: 'full', instance_id: 'vc-001' });
    expect(run.counts).toMatchObject({
      datacenters: sim.counts.datacenters,
      clusters: sim.counts.clusters,
      hosts: sim.counts.hosts,
      vms: sim.counts.vms,
    });
    expect(run.counts.datastores).toBeGreaterThan(0);
    expect(run.duration_ms).toBeGreaterThanOrEqual(0);
    // Where the time went: connecting, retrieving (vSphere + parsing), writing (store), preparing_delta.
    expect(Object.keys(run.phase_ms).sort()).toEqual(['connecting', 'preparing_delta', 'retrieving', 'writing']);
    expect(Object.values(run.phase_ms as Record<string, number>).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(run.duration_ms);
    const total = Object.values(run.counts as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(run.changes).toMatchObject({ written: total, deleted: 0 });

    const again = (await sync(['vc-001'], 'full'))[0];
    expect(again.changes).toMatchObject({ written: 0, unchanged: total, deleted: 0 });

    // Listed newest first, for one instance or all, paged.
    const listed = await h.call('GET', '/api/v1/vcenter/sync-runs?instance_id=vc-001&limit=2', { role: 'viewer' });
    expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([again.id, run.id]);
    expect(listed.body.next_token).toEqual(expect.any(String));
    const newest = await h.call('GET', '/api/v1/vcenter/sync-runs?limit=1', { role: 'viewer' });
    expect(newest.body.items[0].id).toBe(again.id);
    expect((await h.call('GET', '/api/v1/vcenter/sync-runs?limit=0', { role: 'viewer' })).body.error.details[0].path).toBe('query.limit');

    const instance = await h.call('GET', '/api/v1/vcenter/instances/vc-001', { role: 'viewer' });
    expect(instance.body).toMatchObject({
      reachable: true,
      api_version: expect.any(String),
      sync_age_minutes: 0,
      delta_ready: true,
      last_sync: { id: again.id, sync_type: 'full', status: 'succeeded', counts: again.counts },
    });
    expect(instance.body.client.open_sessions).toBe(1);
    expect(JSON.stringify(instance.body)).not.toContain('vmware_soap_session');

    const all = await vms();
    expect(all).toHaveLength(sim.counts.vms);
    expect(all[0]).toMatchObject({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      power_state: 'poweredOn',
      host: expect.stringMatching(/^host-/),
    });
    const hosts = await h.call('GET', '/api/v1/vcenter/instances/vc-001/hosts?limit=200', { role: 'viewer' });
    expect(hosts.body.items).toHaveLength(sim.counts.hosts);
    expect(hosts.body.items[0]).toMatchObject({ hardware_uuid: expect.any(String), vmknics: expect.any(Array) });
    const clusters = await h.call('GET', '/api/v1/vcenter/instances/vc-001/clusters', { role: 'viewer' });
    expect(clusters.body.items).toHaveLength(sim.counts.clusters);
    const clustered = all.find((v) => v.cluster)!;
    expect((await vms(`&cluster=${clustered.cluster}`)).every((v) => v.cluster === clustered.cluster)).toBe(true);
    expect((await vms(`&host=${all[0]!.host}`)).every((v) => v.host === all[0]!.host)).toBe(true);
    // Paging visits every VM once.
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const q: string = token ? `&next_token=${encodeURIComponent(token)}` : '';
      const page = await h.call('GET', `/api/v1/vcenter/instances/vc-001/vms?limit=3${q}`, { role: 'viewer' });
      seen.push(...page.body.items.map((v: { id: string }) => v.id));
      token = page.body.next_token;
    } while (token);
    expect(new Set(seen).size).toBe(sim.counts.vms);

    // Host vmknic IPs are IP observations with hardware identities.
    const vmknicHost = hosts.body.items.find((x: { vmknics: { ip?: string }[] }) => x.vmknics.some((n) => n.ip));
    expect(vmknicHost).toBeDefined();
    const vmk = vmknicHost.vmknics.find((n: { ip?: string }) => n.ip);
    const obs = await observationsAt(h.stack.deps.store, vmk.ip);
    expect(obs).toContainEqual(
      expect.objectContaining({
        address: vmk.ip,
        source: 'vcenter',
        entity_kind: 'host',
        entity_ref: `vc-001/${vmknicHost.id}`,
        mac: vmk.mac,
        site_id: 'site-001',
        hardware_ids: expect.objectContaining({ system_uuid: vmknicHost.hardware_uuid }),
        first_seen: expect.any(String),
        last_seen: expect.any(String),
      }),
    );
  });

  it('the synced inventory carries what an evacuation plan needs; a VM whose host CD-ROM gets connected blocks', async () => {
    const hosts = await h.call('GET', '/api/v1/vcenter/instances/vc-001/hosts?limit=200', { role: 'viewer' });
    const host = hosts.body.items.find((x: { cluster?: string }) => x.cluster);
    expect(host).toMatchObject({
      datastores: [expect.any(String)],
      memory_mb: expect.any(Number),
      cpu_cores: expect.any(Number),
      cpu_mhz: expect.any(Number),
      cpu_usage_mhz: expect.any(Number),
      memory_usage_mb: expect.any(Number),
    });
    expect(host.memory_mb).toBeGreaterThan(host.memory_usage_mb);
    type PlannedVm = { id: string; datastores: string[]; host_devices: { kind: string; label: string }[] };
    const onHost = (await vms(`&host=${host.id}`)) as unknown as PlannedVm[];
    expect(onHost.length).toBeGreaterThan(1);
    expect(onHost[0]).toMatchObject({ cpu_count: expect.any(Number), memory_mb: expect.any(Number) });
    expect(host.datastores).toEqual(expect.arrayContaining(onHost[0]!.datastores));
    // The project's vcsim leaves every VM's CD-ROM disconnected (scripts/vcsim/pinned.go), as a client-device CD-ROM is.
    expect(onHost.every((v) => v.host_devices.length === 0)).toBe(true);
    const planHost = () =>
      planEvacuation(h.stack.deps, { instance_id: 'vc-001', host_ids: [host.id], options: EvacuationOptions.parse({}) });
    const free = await planHost();
    expect(free).toMatchObject({ refused: false, findings: [] });
    expect(free.hosts[0]!.blocked).toEqual([]);
    expect(free.hosts[0]!.moves.map((m) => m.vm_id).sort()).toEqual(onHost.map((v) => v.id).sort());
    const peers = hosts.body.items.filter((x: { id: string; cluster?: string }) => x.cluster === host.cluster && x.id !== host.id);
    expect(free.hosts[0]!.moves.every((m) => peers.some((p: { id: string }) => p.id === m.destination))).toBe(true);

    // Connect one VM's CD-ROM to the host's drive: vMotion cannot take that along, so the plan names it.
    const pinnedVm = onHost[0]!;
    const ref: MoRef = { type: 'VirtualMachine', value: pinnedVm.id };
    const devices = (await vc.getProperties(ref, ['config.hardware.device']))['config.hardware.device'] as {
      _type: string;
      connectable: { connected: boolean };
    }[];
    const cdrom = devices.find((d) => d._type === 'VirtualCdrom')!;
    cdrom.connectable.connected = true;
    const spec = { _type: 'VirtualMachineConfigSpec', deviceChange: [{ operation: 'edit', device: cdrom }] };
    await vc.waitForTask((await vc.invoke('ReconfigVM_Task', ref, { spec })) as MoRef);
    const [run] = await sync(['vc-001'], 'delta');
    expect(run.status, run.error).toBe('succeeded');
    const pinned = await planHost();
    expect(pinned.hosts[0]!.blocked.map((b) => [b.vm_id, b.reason])).toEqual([[pinnedVm.id, 'host_device']]);
    expect(pinned.hosts[0]!.moves.map((m) => m.vm_id).sort()).toEqual(
      onHost
        .slice(1)
        .map((v) => v.id)
        .sort(),
    );
    expect(pinned.hash).not.toBe(free.hash);

    // Disconnected again and synced, so the tests after this one meet the inventory (and delta) they expect.
    cdrom.connectable.connected = false;
    await vc.waitForTask((await vc.invoke('ReconfigVM_Task', ref, { spec })) as MoRef);
    const [settled] = await sync(['vc-001'], 'delta');
    expect(settled.status, settled.error).toBe('succeeded');
  });

  it('delta sync shows a VM powered off, renamed and destroyed through the vSphere API', async () => {
    const before = await vms();
    const [off, renamed, destroyed] = before.map((v) => ({ type: 'VirtualMachine', value: v.id }) as MoRef);
    await vc.waitForTask((await vc.invoke('PowerOffVM_Task', off!)) as MoRef);
    await vc.waitForTask((await vc.invoke('Rename_Task', renamed!, { newName: 'renamed-by-test' })) as MoRef);
    await vc.waitForTask((await vc.invoke('PowerOffVM_Task', destroyed!)) as MoRef);
    // vcsim 0.24 panics in WaitForUpdatesEx when a pending modify refers to an object destroyed since
    // (property_filter.go matches → getManagedObject(nil)); vCenter does not. So observe the power-off first.
    const [first] = await sync(['vc-001'], 'delta');
    expect(first.status, first.error).toBe('succeeded');
    expect(first.executed_type).toBe('delta');
    expect(first.changes.written).toBe(3);
    await vc.waitForTask((await vc.invoke('Destroy_Task', destroyed!)) as MoRef);

    let after = before;
    let run: any;
    for (let round = 0; round < 5; round++) {
      [run] = await sync(['vc-001'], 'delta');
      expect(run.status, run.error).toBe('succeeded');
      expect(run.executed_type).toBe('delta');
      after = await vms();
      if (!after.some((v) => v.id === destroyed!.value)) break;
    }
    expect(after.find((v) => v.id === off!.value)?.power_state).toBe('poweredOff');
    expect(after.find((v) => v.id === renamed!.value)?.name).toBe('renamed-by-test');
    expect(after.some((v) => v.id === destroyed!.value)).toBe(false);
    expect(after).toHaveLength(before.length - 1);
    expect(run.counts.vms).toBe(before.length - 1);
    expect((await vms('&power_state=poweredOff')).map((v) => v.id)).toContain(off!.value);
    expect((await vms('&name=renamed-by')).map((v) => v.id)).toEqual([renamed!.value]);
  });

  it('an invalid stored version falls back to full and says so', async () => {
    const store = h.stack.deps.store;
    await vcenterInstances.update(store, 'vc-001', (c) => ({ ...c, sync_state: { ...c.sync_state!, collector_version: '999999' } }));
    const [run] = await sync(['vc-001'], 'delta');
    expect(run.status, run.error).toBe('succeeded');
    expect(run.executed_type).toBe('full');
    expect(run.fallback_reason).toContain('InvalidCollectorVersion');
    // Delta works again from the new version.
    const [next] = await sync(['vc-001'], 'delta');
    expect(next).toMatchObject({ status: 'succeeded', executed_type: 'delta' });
  });

  it('a new container continues the stored session; a dead session falls back to full and says why', async () => {
    const stored = (await vcenterInstances.get(h.stack.deps.store, 'vc-001')).sync_state!;
    expect(stored).toMatchObject({ collector_version: expect.any(String), session_secret_ref: 'vcenter-sessions/vc-001' });
    const secret = JSON.parse(await h.stack.deps.secrets.get(stored.session_secret_ref!));
    expect(secret).toMatchObject({ cookie: expect.any(String), collector: expect.any(String), filter: expect.any(String) });
    expect(JSON.stringify(await vcenterInstances.get(h.stack.deps.store, 'vc-001'))).not.toContain(secret.cookie);
    expect(JSON.stringify((await h.call('GET', '/api/v1/vcenter/instances/vc-001', { role: 'viewer' })).body)).not.toContain(secret.cookie);

    h.stack.deps.vcenter.forgetAll(); // a fresh container: no client, no session in memory
    const [resumed] = await sync(['vc-001'], 'delta');
    expect(resumed).toMatchObject({ status: 'succeeded', executed_type: 'delta' });

    // The session ends on vCenter (expiry, restart, an operator's logout): its collector and version die with it.
    const killer = clientFor(sim);
    killer.session.resume(secret.cookie);
    await killer.retrieveServiceContent();
    await killer.logout();
    h.stack.deps.vcenter.forgetAll();
    const [fallback] = await sync(['vc-001'], 'delta');
    expect(fallback).toMatchObject({ status: 'succeeded', executed_type: 'full' });
    expect(fallback.fallback_reason).toMatch(/session/i);
    expect(fallback.counts.vms).toBe(sim.counts.vms - 1);
  });

  it('a vCenter that dies fails the run as unreachable; health turns critical', async () => {
    const doomed = await startVcsim({ clusters: 1, hostsPerCluster: 1, vmsPerHost: 1 });
    try {
      const created = await h.call('POST', '/api/v1/vcenter/instances', {
        role: 'admin',
        body: instanceBody({ id: 'vc-doomed', url: doomed.url, tls: { ca_pem: doomed.certPem } }),
      });
      expect(created.status).toBe(201);
      expect((await sync(['vc-doomed'], 'full'))[0].status).toBe('succeeded');
      await doomed.kill();
      const [run] = await sync(['vc-doomed'], 'delta');
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/^vCenter unreachable: .*ECONNREFUSED/);
      const instance = await h.call('GET', '/api/v1/vcenter/instances/vc-doomed', { role: 'viewer' });
      expect(instance.body).toMatchObject({ reachable: false, last_sync: { status: 'failed' }, sync_age_minutes: 0 });
      const health = await h.call('GET', '/api/v1/health');
      expect(health.body.components.vcenter_api.status).toBe('critical');
      expect(health.body.components.vcenter_api.message).toContain('vc-doomed critical: unreachable');
      expect(health.body.components.vcenter_api.instances['vc-doomed']).toEqual({
        status: 'critical',
        message: `unreachable: ${run.error}; last successful sync 0 min ago`,
        sync_age_minutes: 0,
        reachable: false,
        last_sync: {
          id: run.id,
          type: 'delta',
          status: 'failed',
          finished_at: run.finished_at,
          error: run.error,
          attempts: 1,
          next_attempt_at: null,
        },
      });
    } finally {
      await doomed.stop();
      await h.call('DELETE', '/api/v1/vcenter/instances/vc-doomed', { role: 'admin' });
    }
  });

  it('a schedule message syncs every registered instance', async () => {
    const { syncRuns } = await import('../../shared/records/vcenter');
    const { SCHEDULES } = await import('../../shared/catalog/schedules');
    expect(SCHEDULES['vcenter-delta-sync']).toMatchObject({ expression: 'rate(15 minutes)', pool: 'vcenter-sync' });
    expect(SCHEDULES['vcenter-full-sync']).toMatchObject({ expression: 'cron(0 2 * * ? *)', pool: 'vcenter-sync' });
    const since = new Date().toISOString();
    await h.stack.deps.queue.send('vcenter-sync', [{ body: JSON.stringify(SCHEDULES['vcenter-delta-sync']!.message) }]);
    const run = await waitFor(
      'a scheduled sync run of vc-001',
      async () => {
        const page = await syncRuns.byInstance(h.stack.deps.store, 'vc-001', { limit: 5, descending: true });
        const r = page.items.find((x) => x.requested_at >= since && x.requested_by === 'schedule');
        return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
      },
      60_000,
      100,
    );
    expect(run).toMatchObject({ sync_type: 'delta', status: 'succeeded' });
  });

  it('runs one sync per instance at a time: a run that finds the instance held waits; requests meanwhile join it', async () => {
    const request = async (syncType: 'full' | 'delta') => {
      const res = await h.call('POST', '/api/v1/vcenter/sync', {
        role: 'operator',
        body: { instance_ids: ['vc-001'], sync_type: syncType },
      });
      expect(res.status, res.text).toBe(202);
      return res.body.sync_runs[0] as { id: string; sync_type: string; status: string; coalesced: boolean };
    };
    const run = async (id: string) => (await h.call('GET', `/api/v1/vcenter/sync-runs/${id}`, { role: 'viewer' })).body;
    const until = new Date(Date.now() + 60_000).toISOString();
    await vcenterInstances.update(h.stack.deps.store, 'vc-001', (c) => ({ ...c, sync_lease: { run_id: 'sync-other', until } }));
    const delta = await request('delta');
    expect(delta).toMatchObject({ sync_type: 'delta', status: 'queued', coalesced: false });
    const waiting = await waitFor(
      'the run waiting behind sync-other',
      async () => {
        const r = await run(delta.id);
        return r.queued_behind?.run_id === 'sync-other' ? r : undefined;
      },
      60_000,
      100,
    );
    expect(waiting.status).toBe('queued');
    // The runbook's sync command while a run is in progress: the same run, not a failure.
    expect(await request('delta')).toMatchObject({ id: delta.id, coalesced: true });
    // A full one behind a delta: its own run, which later full requests join.
    const full = await request('full');
    expect(full).toMatchObject({ sync_type: 'full', coalesced: false });
    expect(full.id).not.toBe(delta.id);
    expect(await request('full')).toMatchObject({ id: full.id, coalesced: true });
    // A lease past its time (a crashed worker) does not block: both runs go, one after the other.
    await vcenterInstances.update(h.stack.deps.store, 'vc-001', (c) => ({
      ...c,
      sync_lease: { run_id: 'sync-other', until: new Date(Date.now() - 1).toISOString() },
    }));
    const ended = await Promise.all(
      [delta.id, full.id].map((id) =>
        waitFor(
          `sync run ${id}`,
          async () => {
            const r = await run(id);
            return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
          },
          60_000,
          100,
        ),
      ),
    );
    for (const r of ended) expect(r.status, r.error).toBe('succeeded');
    expect(ended[1].executed_type).toBe('full');
    expect((await vcenterInstances.get(h.stack.deps.store, 'vc-001')).sync_lease).toBeUndefined();
  });

  it('trust on first use records the thumbprint; a different certificate is refused showing both', async () => {
    const created = await h.call('POST', '/api/v1/vcenter/instances', {
      role: 'admin',
      body: instanceBody({ id: 'vc-tofu', tls: { trust_on_first_use: true } }),
    });
    expect(created.status).toBe(201);
    const [run] = await sync(['vc-tofu'], 'full');
    expect(run.status, run.error).toBe('succeeded');
    const pinned = await h.call('GET', '/api/v1/vcenter/instances/vc-tofu', { role: 'viewer' });
    expect(pinned.body.tls).toEqual({ pinned_thumbprint: sim.thumbprint, trust_on_first_use: true });
    const wrong = `${'AB:'.repeat(31)}AB`;
    expect(
      (await h.call('PATCH', '/api/v1/vcenter/instances/vc-tofu', { role: 'admin', body: { tls: { pinned_thumbprint: wrong } } })).status,
    ).toBe(200);
    const [refused] = await sync(['vc-tofu'], 'full');
    expect(refused.status).toBe('failed');
    expect(refused.error).toContain(wrong);
    expect(refused.error).toContain(sim.thumbprint);
    expect((await h.call('DELETE', '/api/v1/vcenter/instances/vc-tofu', { role: 'admin' })).status).toBe(204);
  });

  it('wrong credentials: a failed sync run with a clear error', async () => {
    const created = await h.call('POST', '/api/v1/vcenter/instances', {
      role: 'admin',
      body: instanceBody({ id: 'vc-wrong', service_identity_id: 'si-vc-wrong' }),
    });
    expect(created.status).toBe(201);
    const [run] = await sync(['vc-wrong'], 'full');
    expect(run.status).toBe('failed');
    expect(run.error).toContain('InvalidLogin');
    expect(run.error).toContain('si-vc-wrong');
    const instance = await h.call('GET', '/api/v1/vcenter/instances/vc-wrong', { role: 'viewer' });
    expect(instance.body.last_sync).toMatchObject({ status: 'failed', error: run.error });
    expect(instance.body.sync_age_minutes).toBeNull();
    // The vcenter verifier logs in to an instance that uses the identity.
    const rejected = await h.call('GET', '/api/v1/service-identities/si-vc-wrong/verify', { role: 'operator' });
    expect(rejected.body).toMatchObject({ result: 'rejected', target: 'vc-wrong' });
    const verified = await h.call('GET', '/api/v1/service-identities/si-vc/verify', { role: 'operator' });
    expect(verified.body).toMatchObject({ result: 'verified', target: 'vc-001' });
    // Never synced and registered just now: not yet degraded; health names nothing for it.
    const health = await h.call('GET', '/api/v1/health');
    expect(health.body.components.vcenter_api).toMatchObject({
      status: 'ok',
      metrics: { instances: 2, 'vc-001.status': 'ok', 'vc-001.sync_age_minutes': 0 },
    });
    expect(health.body.components.vcenter_api.instances['vc-wrong']).toMatchObject({
      status: 'ok',
      sync_age_minutes: null,
      reachable: true,
      message: `never synced successfully (registered 0 min ago); last sync ${run.id} failed: ${run.error}`,
      last_sync: { id: run.id, type: 'full', status: 'failed', error: run.error },
    });
    expect((await h.call('DELETE', '/api/v1/vcenter/instances/vc-wrong', { role: 'admin' })).status).toBe(204);
    expect((await h.call('GET', '/api/v1/vcenter/instances/vc-wrong', { role: 'viewer' })).status).toBe(404);
  });

  it('health: vcenter_api degrades past 30 min of sync age and is critical past 2 h or when unreachable', async () => {
    const store = h.stack.deps.store;
    const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
    await vcenterInstances.update(store, 'vc-001', (c) => ({ ...c, last_successful_sync_at: ago(45) }));
    let health = await h.call('GET', '/api/v1/health');
    expect(health.body.components.vcenter_api.status).toBe('degraded');
    expect(health.body.components.vcenter_api.message).toContain('vc-001 degraded');
    expect(health.body.components.vcenter_api.instances['vc-001']).toMatchObject({
      status: 'degraded',
      sync_age_minutes: 45,
      reachable: true,
      message: 'last successful sync 45 min ago',
      last_sync: { type: expect.stringMatching(/^(full|delta)$/), status: 'succeeded', finished_at: expect.any(String), error: null },
    });
    await vcenterInstances.update(store, 'vc-001', (c) => ({ ...c, last_successful_sync_at: ago(121) }));
    health = await h.call('GET', '/api/v1/health');
    expect(health.status).toBe(503);
    expect(health.body.components.vcenter_api.status).toBe('critical');
    await vcenterInstances.update(store, 'vc-001', (c) => ({
      ...c,
      last_successful_sync_at: ago(1),
      reachable: false,
      last_contact_error: 'vCenter unreachable: ECONNREFUSED',
    }));
    health = await h.call('GET', '/api/v1/health');
    expect(health.body.components.vcenter_api).toMatchObject({ status: 'critical', message: expect.stringContaining('ECONNREFUSED') });
    expect(health.body.components.vcenter_api.instances['vc-001']).toMatchObject({
      status: 'critical',
      reachable: false,
      sync_age_minutes: 1,
      message: 'unreachable: vCenter unreachable: ECONNREFUSED; last successful sync 1 min ago',
    });
    // A sync brings it back.
    const [run] = await sync(['vc-001'], 'delta');
    expect(run.status).toBe('succeeded');
    health = await h.call('GET', '/api/v1/health');
    expect(health.body.components.vcenter_api.status).toBe('ok');
  });

  it('a health_check job can target a vCenter instance', async () => {
    const { probeTarget } = await import('../../shared/jobs/health-check');
    const { invalidTargets } = await import('../../shared/jobs/targets');
    expect(await invalidTargets(h.stack.deps.store, ['vc-001', 'vc-404'], ['vcenter'])).toEqual([
      { path: 'body.target_ids[1]', message: "vCenter instance 'vc-404' does not exist" },
    ]);
    const probe = await probeTarget(h.stack.deps, 'vc-001');
    expect(probe).toMatchObject({ ok: true, result: { api_version: expect.any(String) } });
  });
});
