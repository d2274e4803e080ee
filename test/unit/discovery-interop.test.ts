import { beforeEach, describe, expect, it } from 'vitest';
import { SiteCreate, SiteUpdate } from '../../shared/domain/site';
import type { Queue } from '../../shared/ports/queue';
import { dellEndpoints, endpointsOfSite } from '../../shared/records/dell-endpoints';
import { observationsAt } from '../../shared/records/ip-observations';
import { discoverChunk, getDiscoveryRun, startDiscovery } from '../../shared/usecases/dell-discovery';
import { createDellEndpoint, refreshDellEndpoint } from '../../shared/usecases/dell-endpoints';
import { createSite, updateSite } from '../../shared/usecases/sites';
import { ManualClock, MemorySecrets } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';
import { FakeIdrac } from './fake-idrac';

type Slice = { run_id: string; site_id: string; chunk: number; addresses: string[] };

let deps: { store: MemoryStore; clock: ManualClock; secrets: MemorySecrets; queue: Queue; idrac: FakeIdrac };
let sent: Slice[];

beforeEach(async () => {
  sent = [];
  const queue = {
    // The discovery pool's slices only (a run that found something also queues an IPAM full pass).
    send: async (pool: string, messages: Array<{ body: string }>) => {
      if (pool === 'discovery') sent.push(...messages.map((m) => JSON.parse(m.body) as Slice));
      return messages.map((_, i) => `m-${i}`);
    },
  };
  deps = {
    store: new MemoryStore(),
    clock: new ManualClock(),
    secrets: new MemorySecrets(),
    queue: queue as unknown as Queue,
    idrac: new FakeIdrac(),
  };
  await createSite(deps, SiteCreate.parse({ id: 'site-lab', name: 'lab', management_networks: ['10.9.0.0/29'] }), 'alice');
});

/** Starts a run of site-lab and delivers every slice once. */
async function sweep() {
  sent.length = 0;
  const run = await startDiscovery(deps, { site_ids: ['site-lab'] }, 'alice');
  for (const slice of sent) await discoverChunk(deps, slice);
  return getDiscoveryRun(deps, run.id);
}

describe('discovery registers only iDRACs', () => {
  it("another vendor's BMC is listed on the run and as an IP observation with its kind, and gets no endpoint", async () => {
    deps.idrac.behaviour.set('10.9.0.1', 'idrac9');
    deps.idrac.behaviour.set('10.9.0.2', 'hpe-ilo');
    const run = await sweep();
    expect(run).toMatchObject({
      status: 'succeeded',
      total: 6,
      found: 1,
      not_idrac: 1,
      unreachable: 4,
      not_contacted: 0,
      endpoints_created: 1,
    });
    expect(run.seen).toEqual([
      expect.objectContaining({ address: '10.9.0.2', site_id: 'site-lab', kind: 'other_vendor_bmc', vendor: 'HPE' }),
    ]);
    expect((await endpointsOfSite(deps.store, 'site-lab')).map((e) => e.address)).toEqual(['10.9.0.1']);
    expect(await observationsAt(deps.store, '10.9.0.2')).toEqual([
      expect.objectContaining({ entity_kind: 'device', device_kind: 'other_vendor_bmc', source_ref: run.id, site_id: 'site-lab' }),
    ]);
  });

  it('an address the client refused to contact counts as not contacted, apart from no answer', async () => {
    deps.idrac.behaviour.set('10.9.0.3', 'circuit-open');
    const run = await sweep();
    expect(run).toMatchObject({ not_contacted: 1, unreachable: 5, errors: 0 });
  });

  it('a registered endpoint that turns out not to be an iDRAC is marked so, unreachable, with a clear error', async () => {
    const ep = await createDellEndpoint(
      deps,
      { address: '10.9.0.4', site_id: 'site-lab', tls: { insecure: false, legacy: false } },
      'alice',
    );
    deps.idrac.behaviour.set('10.9.0.4', 'hpe-ilo');
    const after = await refreshDellEndpoint(deps, ep.id);
    expect(after).toMatchObject({ status: 'unreachable', generation: 'unknown', device: { kind: 'other_vendor_bmc', vendor: 'HPE' } });
    expect(after.last_error).toMatchObject({ code: 'not_an_idrac' });
    expect(after.last_error!.message).toContain(`PATCH /api/v1/dell/endpoints/${ep.id}`);
    const run = await sweep();
    expect(run).toMatchObject({ not_idrac: 1, endpoints_updated: 1 });
  });
});

describe('exclusion lists per site', () => {
  it('addresses, CIDRs and ranges are validated and normalised', () => {
    expect(SiteUpdate.parse({ discovery_exclusions: [' 10.9.0.1', '10.9.0.4/30', '10.9.0.2 - 10.9.0.3'] }).discovery_exclusions).toEqual([
      '10.9.0.1',
      '10.9.0.4/30',
      '10.9.0.2-10.9.0.3',
    ]);
    const bad = SiteUpdate.safeParse({ discovery_exclusions: ['10.9.0.9-10.9.0.1', 'switch-1', '10.9.0.1/29'] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['discovery_exclusions.0', "range '10.9.0.9-10.9.0.1' ends before it starts"],
      ['discovery_exclusions.1', "'switch-1' is not an IPv4 address, CIDR (10.45.12.0/28) or range (10.45.12.100-10.45.12.120)"],
      ['discovery_exclusions.2', "'10.9.0.1/29' has host bits set; the network is 10.9.0.0/29"],
    ]);
  });

  it('excluded addresses are never knocked on or probed, registered endpoints there included; the run counts them', async () => {
    await createDellEndpoint(deps, { address: '10.9.0.6', site_id: 'site-lab', tls: { insecure: false, legacy: false } }, 'alice');
    await updateSite(deps, 'site-lab', SiteUpdate.parse({ discovery_exclusions: ['10.9.0.1', '10.9.0.4-10.9.0.6'] }));
    const run = await sweep();
    expect(run).toMatchObject({ total: 2, excluded: 4, probed: 2 });
    expect([...deps.idrac.knocks, ...deps.idrac.probes].sort()).toEqual(['10.9.0.2', '10.9.0.3']);
  });
});

describe('one server, two addresses', () => {
  it('two endpoints reporting the same service tag are flagged on both and on the run', async () => {
    deps.idrac.behaviour.set('10.9.0.1', 'idrac9');
    deps.idrac.behaviour.set('10.9.0.2', 'idrac9');
    deps.idrac.serviceTags.set('10.9.0.1', 'SAME001');
    deps.idrac.serviceTags.set('10.9.0.2', 'SAME001');
    const run = await sweep();
    const [a, b] = await endpointsOfSite(deps.store, 'site-lab');
    expect(a!.conflicts).toEqual([{ endpoint_id: b!.id, address: '10.9.0.2', matched: 'service_tag', value: 'SAME001' }]);
    expect(b!.conflicts).toEqual([{ endpoint_id: a!.id, address: '10.9.0.1', matched: 'service_tag', value: 'SAME001' }]);
    expect(run.conflicts).toEqual([
      expect.objectContaining({ addresses: expect.arrayContaining(['10.9.0.1', '10.9.0.2']), matched: 'service_tag', value: 'SAME001' }),
    ]);
    // Once one of them reports another server, the next refresh clears the conflict.
    deps.idrac.serviceTags.set('10.9.0.2', 'OTHER02');
    await refreshDellEndpoint(deps, b!.id);
    expect((await refreshDellEndpoint(deps, a!.id)).conflicts).toBeNull();
    expect((await dellEndpoints.get(deps.store, b!.id)).conflicts).toBeNull();
  });
});
