import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import type { MoRef, VSphereClient } from '../../shared/adapters/vsphere';
import type { Clock } from '../../shared/ports/clock';
import { type Harness, startHarness } from '../support/harness';
import { registerSimulatedIdrac } from '../support/simulated-idracs';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { waitFor } from '../support/wait';
import { clientFor } from '../vsphere/helpers';

/**
 * IPAM over HTTP on the local stack, against vcsim and a simulated iDRAC (127.61.0.x): the runbook's
 * "IPAM Duplicate Detection False Positives" from observation to exception and resolution.
 */
const CERT_DIR = join(tmpdir(), 'eio-idrac-client-test-certs');
const SERVER_ADDRESS = '10.45.20.5';
const DUPLICATE = '10.45.12.100';

let h: Harness;
let sim: Vcsim;
let vc: VSphereClient;
let idracs: SimulatorFleet | undefined;

beforeAll(async () => {
  sim = await startVcsim({ clusters: 1, hostsPerCluster: 1, vmsPerHost: 2 });
  h = await startHarness();
  vc = clientFor(sim);
  expect((await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-001', name: 'Lab' } })).status).toBe(201);
  for (const [id, kind, user, secret] of [
    ['si-vc', 'vcenter', sim.user, sim.password],
    ['si-idrac', 'idrac', 'root', 'calvin'],
  ] as const) {
    const res = await h.call('POST', '/api/v1/service-identities', {
      role: 'admin',
      body: { id, name: id, target_kind: kind, username: user, secret },
    });
    expect(res.status, res.text).toBe(201);
  }
  const res = await h.call('POST', '/api/v1/vcenter/instances', {
    role: 'admin',
    body: { id: 'vc-001', url: sim.url, site_id: 'site-001', service_identity_id: 'si-vc', tls: { ca_pem: sim.certPem } },
  });
  expect(res.status, res.text).toBe(201);
}, 120_000);

afterAll(async () => {
  await vc?.close().catch(() => undefined);
  await h?.close();
  await Promise.all([sim?.stop(), idracs?.stop()]);
});

async function sync(syncType: 'full' | 'delta') {
  const res = await h.call('POST', '/api/v1/vcenter/sync', { role: 'operator', body: { instance_ids: ['vc-001'], sync_type: syncType } });
  expect(res.status, res.text).toBe(202);
  const run = await waitFor(
    'sync run',
    async () => {
      const r = await h.call('GET', `/api/v1/vcenter/sync-runs/${res.body.sync_run_ids[0]}`, { role: 'viewer' });
      return r.body.status === 'succeeded' || r.body.status === 'failed' ? r.body : undefined;
    },
    60_000,
    100,
  );
  expect(run.status, run.error).toBe('succeeded');
}

const observations = async (query: string) => {
  const res = await h.call('GET', `/api/v1/ipam/observations?${query}`, { role: 'viewer' });
  expect(res.status, res.text).toBe(200);
  return res.body.items as {
    address: string;
    source: string;
    entity: { id: string; kind: string; ref: string; identifiers: Record<string, string> };
  }[];
};
const findings = async (query: string) => {
  const res = await h.call('GET', `/api/v1/ipam/findings?${query}`, { role: 'viewer' });
  expect(res.status, res.text).toBe(200);
  return res.body.items as { id: string; type: string; status: string; entities: { id: string }[]; suppressed_by: unknown }[];
};
/** Changes a VM so the next sync rewrites it (and so records its addresses as seen again). */
const reconfigure = async (vm: string, extra: { key: string; value: string }[] = [], memoryMB?: number) => {
  const spec = {
    _type: 'VirtualMachineConfigSpec',
    ...(memoryMB ? { memoryMB } : {}),
    extraConfig: extra.map((e) => ({ _type: 'OptionValue', key: e.key, value: { _type: 'xsd:string', _value: e.value } })),
  };
  await vc.waitForTask((await vc.invoke('ReconfigVM_Task', { type: 'VirtualMachine', value: vm }, { spec })) as MoRef);
};

describe('IPAM on the local stack', () => {
  it('one entity and no finding for a server seen through vCenter and through its iDRAC', async () => {
    // A host whose vmknic has SERVER_ADDRESS (vcsim takes an IP host name as the vmknic's address).
    const root = (await vc.getProperties({ type: 'Folder', value: 'group-d1' }, ['childEntity'])).childEntity as MoRef[];
    const dc = root.find((r) => r.type === 'Datacenter')!;
    const hostFolder = (await vc.getProperties(dc, ['hostFolder'])).hostFolder as MoRef;
    const spec = { _type: 'HostConnectSpec', hostName: SERVER_ADDRESS, userName: 'root', password: 'x', force: true };
    await vc.waitForTask((await vc.invoke('AddStandaloneHost_Task', hostFolder, { spec, addConnected: true })) as MoRef);
    await sync('full');
    const hosts = (await h.call('GET', '/api/v1/vcenter/instances/vc-001/hosts?limit=200', { role: 'viewer' })).body.items;
    const host = hosts.find((x: { name: string }) => x.name === SERVER_ADDRESS);
    expect(host?.hardware_uuid).toEqual(expect.any(String));

    // Its iDRAC: same SMBIOS UUID, the host OS address on its first NIC.
    idracs = await SimulatorFleet.start({
      count: 1,
      baseAddress: '127.61.0.1',
      certDir: CERT_DIR,
      speed: 200,
      seed: 'ipam',
      endpoint: () => ({ systemUuid: host.hardware_uuid, hostIpv4: SERVER_ADDRESS }),
    });
    const idrac = idracs.info()[0]!;
    const refreshed = await registerSimulatedIdrac(h, 'idrac-ipam', idrac, { site_id: 'site-001', service_identity_id: 'si-idrac' });
    expect(refreshed.system_uuid).toBe(host.hardware_uuid);

    const seen = await observations(`address=${SERVER_ADDRESS}`);
    expect(seen.map((o) => [o.source, o.entity.kind, o.entity.ref]).sort()).toEqual([
      ['idrac', 'host', 'idrac-ipam/NIC.Integrated.1-1-1'],
      ['vcenter', 'host', `vc-001/${host.id}`],
    ]);
    expect(new Set(seen.map((o) => o.entity.id))).toEqual(new Set([`server:${host.hardware_uuid}`]));
    expect(seen[0]!.entity.identifiers.system_uuid).toBe(host.hardware_uuid);
    // The entity's other address (the iDRAC's own) is found by the entity id, from both sides.
    const all = await observations(`entity=${encodeURIComponent(`server:${host.hardware_uuid}`)}`);
    expect(all.map((o) => o.address)).toEqual(expect.arrayContaining([SERVER_ADDRESS, idrac.address]));
    expect(await findings(`address=${SERVER_ADDRESS}&suppressed=all`)).toEqual([]);
  });

  it('duplicate_usage for two VMs on one address; an exception hides it until it expires', async () => {
    const vms = (await h.call('GET', '/api/v1/vcenter/instances/vc-001/vms?limit=200', { role: 'viewer' })).body.items as { id: string }[];
    const [a, b] = vms.map((v) => v.id);
    for (const vm of [a!, b!]) await reconfigure(vm, [{ key: 'SET.guest.ipAddress', value: DUPLICATE }]);
    await sync('delta');

    // The runbook's diagnosis: both VMs at the address, each its own entity.
    const seen = await observations(`address=${DUPLICATE}`);
    expect(seen.map((o) => o.entity.ref).sort()).toEqual([`vc-001/${a}`, `vc-001/${b}`].sort());
    expect(seen.every((o) => o.entity.kind === 'vm' && o.entity.identifiers.instance_uuid)).toBe(true);
    const [dup] = await findings(`address=${DUPLICATE}`);
    expect(dup).toMatchObject({ id: `ipf-duplicate_usage-${DUPLICATE}`, type: 'duplicate_usage', status: 'open', suppressed_by: null });
    expect(dup!.entities).toHaveLength(2);
    expect((await findings('type=duplicate_usage&status=open&site_id=site-001')).map((f) => f.id)).toContain(dup!.id);
    const health = await h.call('GET', '/api/v1/health', { role: 'viewer' });
    expect(health.body.components.ipam.metrics.open_findings).toBeGreaterThanOrEqual(1);

    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const exc = await h.call('POST', '/api/v1/ipam/exceptions', {
      role: 'operator',
      body: {
        owner: 'platform-team',
        reason: 'multi-homed backup host',
        scope: { type: 'address', value: DUPLICATE },
        expires_at: expiresAt,
      },
    });
    expect(exc.status, exc.text).toBe(201);
    expect(exc.body).toMatchObject({ status: 'active', owner: 'platform-team', created_by: 'test-operator' });
    expect(await findings(`address=${DUPLICATE}`)).toEqual([]);
    expect((await findings(`address=${DUPLICATE}&suppressed=true`))[0]!.suppressed_by).toMatchObject({ exception_id: exc.body.id });

    // Two hours on: the exception has expired, the finding shows again.
    const deps = h.stack.deps as { clock: Clock };
    const realClock = deps.clock;
    deps.clock = { now: () => Date.now() + 2 * 3_600_000 };
    try {
      expect((await findings(`address=${DUPLICATE}`)).map((f) => f.id)).toEqual([dup!.id]);
      const listed = await h.call('GET', '/api/v1/ipam/exceptions?status=expired', { role: 'viewer' });
      expect(listed.body.items.map((e: { id: string }) => e.id)).toContain(exc.body.id);
    } finally {
      deps.clock = realClock;
    }
  });

  it('resolving needs an explanation; the duplicate recurring afterwards reopens the finding', async () => {
    const id = `ipf-duplicate_usage-${DUPLICATE}`;
    const ack = await h.call('POST', `/api/v1/ipam/findings/${id}/acknowledge`, { role: 'operator' });
    expect(ack.status, ack.text).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledged_by: 'test-operator' });

    const bare = await h.call('POST', `/api/v1/ipam/findings/${id}/resolve`, { role: 'operator' });
    expect(bare.status).toBe(400);
    expect(bare.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.explanation']);
    const resolved = await h.call('POST', `/api/v1/ipam/findings/${id}/resolve`, {
      role: 'operator',
      body: { explanation: 'test rig re-addressed' },
    });
    expect(resolved.status, resolved.text).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolution: 'test rig re-addressed', resolved_by: 'test-operator' });
    expect((await h.call('POST', `/api/v1/ipam/findings/${id}/resolve`, { role: 'operator', body: { explanation: 'again' } })).status).toBe(
      409,
    );

    // Both VMs are seen on the address again after the resolution.
    const seen = await observations(`address=${DUPLICATE}`);
    for (const o of seen) await reconfigure(o.entity.ref.split('/')[1]!, [], 600 + seen.indexOf(o));
    await sync('delta');
    const reopened = await h.call('GET', `/api/v1/ipam/findings/${id}`, { role: 'viewer' });
    expect(reopened.body).toMatchObject({ status: 'reopened', times_reopened: 1 });
  });

  it('keeps prefixes and allocations per site, in and out as CSV, and judges usage against them', async () => {
    const prefix = await h.call('POST', '/api/v1/ipam/prefixes', {
      role: 'operator',
      body: {
        id: 'pfx-lab',
        site_id: 'site-001',
        cidr: '10.45.12.0/24',
        ranges: [{ start: '10.45.12.200', end: '10.45.12.250', purpose: 'dhcp' }],
      },
    });
    expect(prefix.status, prefix.text).toBe(201);
    const outside = await h.call('POST', '/api/v1/ipam/prefixes', {
      role: 'operator',
      body: { site_id: 'site-001', cidr: '10.45.13.0/24', ranges: [{ start: '10.45.12.1', end: '10.45.12.2', purpose: 'x' }] },
    });
    expect(outside.status).toBe(400);
    expect(outside.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.ranges[0]']);

    const csvBody =
      'address,site_id,owner,purpose,hostname\r\n' +
      '10.45.12.100,site-001,platform-team,"backup, multi-homed",bk-01\r\n' +
      '10.45.12.7,site-001,ops,spare,\r\n';
    const imported = await h.call('POST', '/api/v1/ipam/allocations/import', {
      role: 'operator',
      rawBody: csvBody,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status, imported.text).toBe(200);
    expect(imported.body).toEqual({ created: 2, replaced: 0 });
    const bad = await h.call('POST', '/api/v1/ipam/allocations/import', {
      role: 'operator',
      rawBody: 'address,site_id,owner,purpose\n10.45.12.300,site-001,ops,x\n10.45.12.8,site-404,ops,x\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body[1].address', 'body[2].site_id']);

    const exported = await h.call('GET', '/api/v1/ipam/allocations/export?site_id=site-001', { role: 'viewer' });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    expect(exported.text).toBe(
      'address,site_id,owner,purpose,hostname\r\n' +
        '10.45.12.7,site-001,ops,spare,\r\n' +
        '10.45.12.100,site-001,platform-team,"backup, multi-homed",bk-01\r\n',
    );
    expect((await h.call('GET', '/api/v1/ipam/allocations/10.45.12.100', { role: 'viewer' })).body).toMatchObject({
      owner: 'platform-team',
    });

    // The full pass judges what the new prefix holds: the VMs' other addresses are outside it.
    expect((await h.call('POST', '/api/v1/ipam/reconcile', { role: 'operator' })).status).toBe(202);
    await waitFor('out_of_prefix findings', async () => {
      const found = await findings('type=out_of_prefix&status=open&site_id=site-001');
      return found.length ? found : undefined;
    });
    // Allocated (and duplicated, which its own finding says): no unallocated_usage open at it.
    const unallocated = await findings(`address=${DUPLICATE}&type=unallocated_usage&suppressed=all`);
    expect(unallocated.filter((f) => f.status !== 'resolved')).toEqual([]);
    const refused = await h.call('DELETE', '/api/v1/sites/site-001', { role: 'admin' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("prefix 'pfx-lab'");
  });

  it('answers bad filters with field paths and unknown findings with 404', async () => {
    const bad = await h.call('GET', '/api/v1/ipam/observations?address=10.45.12.300', { role: 'viewer' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['query.address']);
    expect((await h.call('GET', '/api/v1/ipam/observations', { role: 'viewer' })).status).toBe(400);
    expect((await h.call('GET', '/api/v1/ipam/observations?prefix=10.45.12.1/22', { role: 'viewer' })).status).toBe(400);
    expect((await h.call('GET', '/api/v1/ipam/findings/ipf-duplicate_usage-10.9.9.9', { role: 'viewer' })).status).toBe(404);
    const v6 = await observations('prefix=2001:db8::/48');
    expect(v6).toEqual([]);
  });
});
