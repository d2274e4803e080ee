import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as discoveryWorker } from '../../functions/workers/discovery';
import { WORKER_POOLS } from '../../shared/catalog/worker-pools';
import { provideDeps } from '../../shared/container';
import { DellEndpointCreate, DellEndpointUpdate } from '../../shared/domain/dell-endpoint';
import { SiteCreate } from '../../shared/domain/site';
import type { OutgoingMessage, Queue } from '../../shared/ports/queue';
import type { AddOptions, Key, QueryInput } from '../../shared/ports/store';
import { discoveryRuns, endpointsOfSite } from '../../shared/records/dell-endpoints';
import { observationsAt } from '../../shared/records/ip-observations';
import { discoverAllSites, discoverChunk, getDiscoveryRun, startDiscovery } from '../../shared/usecases/dell-discovery';
import { createDellEndpoint, refreshDellEndpoint, updateDellEndpoint } from '../../shared/usecases/dell-endpoints';
import type { Deps } from '../../shared/usecases/deps';
import { createSite } from '../../shared/usecases/sites';
import { ManualClock, MemorySecrets } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';
import { FakeIdrac } from './fake-idrac';

/**
 * A memory store whose failures are switched on per test: reading the site, a site's endpoints, or the next count
 * into a run. It also notes the addresses whose IPAM findings were read: what reconciling an address reads first.
 */
class FaultyStore extends MemoryStore {
  failSiteRead?: string;
  failEndpointsOf?: string;
  failRunCounts = 0;
  readonly findingsReadAt: string[] = [];
  override async query(input: QueryInput) {
    if (this.failEndpointsOf && input.pk === `IDRACSITE#${this.failEndpointsOf}`) throw new Error('ProvisionedThroughputExceededException');
    if (input.pk.startsWith('IPFIND#')) this.findingsReadAt.push(input.pk.slice('IPFIND#'.length));
    return super.query(input);
  }
  override async get(key: Key) {
    if (this.failSiteRead && key.pk.startsWith('SITE#')) throw new Error(this.failSiteRead);
    return super.get(key);
  }
  override async add(key: Key, deltas: Record<string, number>, options?: AddOptions) {
    if (this.failRunCounts > 0 && key.pk.startsWith('DISC#')) {
      this.failRunCounts--;
      throw new Error('the worker died before counting');
    }
    return super.add(key, deltas, options);
  }
}

/**
 * Captures what startDiscovery fans out (`sent`, the discovery pool's messages); the test plays the worker pool and
 * decides on redeliveries. What goes to the IPAM pool is kept apart (`ipam`).
 */
class CapturingQueue {
  readonly sent: OutgoingMessage[] = [];
  readonly ipam: unknown[] = [];
  async send(queue: string, messages: OutgoingMessage[]) {
    if (queue === 'ipam') this.ipam.push(...messages.map((m) => JSON.parse(m.body)));
    else this.sent.push(...messages);
    return messages.map((_, i) => `m-${this.sent.length + i}`);
  }
}

type Slice = { run_id: string; site_id: string; chunk: number; addresses: string[]; knock?: { first_chunk: number } };

const MAX = WORKER_POOLS.discovery!.maxReceiveCount;
let deps: { store: FaultyStore; clock: ManualClock; secrets: MemorySecrets; queue: Queue; idrac: FakeIdrac };
let queue: CapturingQueue;
let fake: FakeIdrac;

beforeEach(async () => {
  fake = new FakeIdrac();
  queue = new CapturingQueue();
  deps = {
    store: new FaultyStore(),
    clock: new ManualClock(),
    secrets: new MemorySecrets(),
    queue: queue as unknown as Queue,
    idrac: fake,
  };
  // /29: six host addresses, .1–.6.
  await createSite(deps, SiteCreate.parse({ id: 'site-lab', name: 'lab', management_networks: ['10.9.0.0/29'] }), 'alice');
});

/** A run of site-lab and the slices it sent (knock slices and probe slices of registered endpoints). */
const start = async () => {
  const from = queue.sent.length;
  const run = await startDiscovery(deps, { site_ids: ['site-lab'] }, 'alice');
  return { run, slices: queue.sent.slice(from).map((m) => JSON.parse(m.body) as Slice) };
};
/**
 * Plays the pool until nothing is left: every slice sent from `from` on, then those they sent on (the knock
 * slices' answering addresses), round after round; `together`: a round's slices at once.
 */
async function drain(from: number, handle: (slice: Slice) => Promise<unknown> = deliver, together = false) {
  for (let i = from; i < queue.sent.length; ) {
    const round = queue.sent.slice(i).map((m) => JSON.parse(m.body) as Slice);
    i = queue.sent.length;
    if (together) await Promise.all(round.map(handle));
    else for (const slice of round) await handle(slice);
  }
}
const runOf = (id: string) => getDiscoveryRun(deps, id);
/** The pool's behaviour for one slice: receive until it succeeds or the last receive; true if it was dead-lettered. */
async function deliver(slice: Slice): Promise<boolean> {
  for (let receive = 1; receive <= MAX; receive++) {
    try {
      await discoverChunk(deps, slice, { receiveCount: receive, maxReceiveCount: MAX });
      return false;
    } catch {
      // the message comes back after its visibility timeout
    }
  }
  return true;
}

describe('a discovery run always ends', () => {
  it('a slice that fails on every receive is counted as errors on its last receive; the run ends failed with the reason', async () => {
    const { run, slices } = await start();
    deps.store.failSiteRead = 'store unavailable: ThrottlingException';
    for (const slice of slices) {
      for (let receive = 1; receive < MAX; receive++)
        await expect(discoverChunk(deps, slice, { receiveCount: receive, maxReceiveCount: MAX })).rejects.toThrow(/ThrottlingException/);
      expect((await runOf(run.id)).status).toBe('running');
      await discoverChunk(deps, slice, { receiveCount: MAX, maxReceiveCount: MAX }); // does not throw again
    }
    const ended = await runOf(run.id);
    expect(ended).toMatchObject({ status: 'failed', total: 6, probed: 6, errors: 6, found: 0 });
    expect(ended.status_reason).toContain('none of the 6 address(es) could be probed');
    expect(ended.status_reason).toContain('ThrottlingException');
    expect(ended.error_samples![0]).toMatchObject({
      message: expect.stringContaining(`last attempt (receive ${MAX} of ${MAX}): store unavailable`),
    });
    expect(ended.error_samples![0]!.addresses).toContain('10.9.0.1');
    expect(ended.finished_at).toBeTruthy();
    expect(Object.keys(ended).filter((k) => k.startsWith('counted_slices'))).toEqual([]);
  });

  it('a receive count past the maximum (SQS may over-count) is treated as the last receive', async () => {
    const { run, slices } = await start();
    deps.store.failSiteRead = 'boom';
    for (const slice of slices) await discoverChunk(deps, slice, { receiveCount: MAX + 2, maxReceiveCount: MAX });
    expect((await runOf(run.id)).status).toBe('failed');
  });

  it('succeeds without errors; ends partial when some addresses errored, naming them', async () => {
    fake.behaviour.set('10.9.0.2', 'idrac9');
    const clean = await start();
    await drain(0, async (s) => expect(await deliver(s)).toBe(false));
    expect(await runOf(clean.run.id)).toMatchObject({
      status: 'succeeded',
      probed: 6,
      found: 1,
      unreachable: 5,
      errors: 0,
      endpoints_created: 1,
    });

    fake.behaviour.set('10.9.0.5', 'throws');
    const from = queue.sent.length;
    const mixed = await start();
    await drain(from);
    const ended = await runOf(mixed.run.id);
    expect(ended).toMatchObject({
      status: 'partial',
      probed: 6,
      found: 1,
      unreachable: 4,
      errors: 1,
      endpoints_updated: 1,
      endpoints_created: 0,
    });
    expect(ended.status_reason).toContain('1 of 6 address(es) could not be probed');
    expect(ended.error_samples).toEqual([{ chunk: expect.any(Number), addresses: '10.9.0.5', message: 'probe of 10.9.0.5 blew up' }]);
  });

  it('a last attempt that runs out of time counts the addresses still hanging as errors', async () => {
    fake.behaviour.set('10.9.0.3', 'hangs');
    fake.behaviour.set('10.9.0.4', 'idrac9');
    const { run } = await start();
    // Only 50 ms left before the function's own reserve for counting.
    await drain(0, (slice) => discoverChunk(deps, slice, { receiveCount: MAX, maxReceiveCount: MAX, remainingMs: 20_050 }));
    const ended = await runOf(run.id);
    expect(ended).toMatchObject({ status: 'partial', probed: 6, errors: 1, found: 1 });
    expect(ended.error_samples).toEqual([
      { chunk: expect.any(Number), addresses: '10.9.0.3', message: expect.stringContaining('ran out of time') },
    ]);
  });

  it('a run that made no progress for long is shown stalled (a slice lost entirely)', async () => {
    const { run } = await start();
    expect((await runOf(run.id)).stalled).toBeUndefined();
    deps.clock.advance(21 * 60_000);
    expect((await runOf(run.id)).stalled).toContain('6 address(es) were never counted');
  });
});

describe('knocking before probing', () => {
  it('addresses with no endpoint are knocked on in one slice; only answering ones get a probe slice, the rest count there', async () => {
    fake.behaviour.set('10.9.0.2', 'idrac9');
    fake.behaviour.set('10.9.0.4', 'silent');
    const { run, slices } = await start();
    expect(slices).toEqual([
      expect.objectContaining({ chunk: 6, knock: { first_chunk: 0 }, addresses: expect.arrayContaining(['10.9.0.4']) }),
    ]);
    await deliver(slices[0]!);
    const sentOn = queue.sent.slice(1).map((m) => JSON.parse(m.body) as Slice);
    expect(sentOn).toEqual([{ run_id: run.id, site_id: 'site-lab', chunk: 1, total: 6, addresses: ['10.9.0.2'] }]);
    expect(await runOf(run.id)).toMatchObject({ status: 'running', probed: 5, unreachable: 5 });
    await drain(1);
    expect(await runOf(run.id)).toMatchObject({ status: 'succeeded', probed: 6, found: 1, unreachable: 5 });
    expect(fake.probes).toEqual(['10.9.0.2']); // the silent address never held a probe slot
  });

  it('a registered endpoint is probed directly; a redelivered knock slice sends every address on without knocking', async () => {
    fake.behaviour.set('10.9.0.3', 'idrac9');
    await createDellEndpoint(deps, DellEndpointCreate.parse({ address: '10.9.0.3', site_id: 'site-lab' }), 'alice');
    const { run, slices } = await start();
    expect(slices.map((s) => s.addresses.length)).toEqual([5, 1]);
    await discoverChunk(deps, slices[0]!, { receiveCount: 2, maxReceiveCount: MAX });
    expect(fake.knocks).toEqual([]);
    expect(queue.sent.length).toBe(2 + 5);
    await drain(1);
    expect(await runOf(run.id)).toMatchObject({ status: 'succeeded', probed: 6, found: 1, unreachable: 5, endpoints_updated: 1 });
  });
});

describe('counting is idempotent', () => {
  it('a crash between probing and counting: the redelivered slice is counted once', async () => {
    fake.behaviour.set('10.9.0.1', 'idrac9');
    const { run } = await start();
    deps.store.failRunCounts = 1;
    await drain(0);
    const ended = await runOf(run.id);
    expect(ended).toMatchObject({ status: 'succeeded', total: 6, probed: 6, found: 1, unreachable: 5, endpoints_created: 1 });
    expect(await endpointsOfSite(deps.store, 'site-lab')).toHaveLength(1);
  });

  it('a slice delivered again after it was counted is skipped without probing', async () => {
    const { run, slices } = await start();
    await drain(0);
    const probesBefore = fake.probes.length;
    const before = await discoveryRuns.get(deps.store, run.id);
    for (const s of slices) await discoverChunk(deps, s, { receiveCount: 2, maxReceiveCount: MAX });
    expect(fake.probes.length).toBe(probesBefore);
    expect(await discoveryRuns.get(deps.store, run.id)).toEqual(before);
  });

  it('the same slice delivered twice at once is counted once', async () => {
    fake.behaviour.set('10.9.0.6', 'idrac9');
    const { run } = await start();
    await drain(0, (s) => Promise.all([discoverChunk(deps, s), discoverChunk(deps, s)]), true);
    expect(await runOf(run.id)).toMatchObject({ status: 'succeeded', probed: 6, found: 1, unreachable: 5 });
    expect(await endpointsOfSite(deps.store, 'site-lab')).toHaveLength(1);
  });

  it('two runs racing over the same addresses create each iDRAC once; the loser updates it', async () => {
    fake.behaviour.set('10.9.0.1', 'idrac9');
    fake.behaviour.set('10.9.0.2', 'idrac9');
    const a = await start();
    const b = await start();
    await drain(0, deliver, true);
    const eps = await endpointsOfSite(deps.store, 'site-lab');
    expect(eps.map((e) => e.address).sort()).toEqual(['10.9.0.1', '10.9.0.2']);
    const [ra, rb] = [await runOf(a.run.id), await runOf(b.run.id)];
    expect(ra.endpoints_created + rb.endpoints_created).toBe(2);
    expect([ra.status, rb.status]).toEqual(['succeeded', 'succeeded']);
    expect(ra.found).toBe(2);
    expect(rb.found).toBe(2);
  });
});

describe('IPAM hears of a sweep once', () => {
  it('a sweep reconciles no address on its way and queues one IPAM full pass when it ends, once despite redeliveries', async () => {
    for (const a of ['10.9.0.1', '10.9.0.2', '10.9.0.3']) fake.behaviour.set(a, 'idrac9');
    fake.behaviour.set('10.9.0.5', 'hpe-ilo');
    await createDellEndpoint(deps, DellEndpointCreate.parse({ address: '10.9.0.3', site_id: 'site-lab' }), 'alice');
    const { run, slices } = await start();
    await drain(0);
    for (const s of queue.sent.map((m) => JSON.parse(m.body) as Slice))
      await discoverChunk(deps, s, { receiveCount: 2, maxReceiveCount: MAX });
    await Promise.all([runOf(run.id), runOf(run.id)]);
    expect(slices).toHaveLength(2); // the knock slice and the registered endpoint's probe
    expect(await runOf(run.id)).toMatchObject({ status: 'succeeded', found: 3, not_idrac: 1, endpoints_created: 2, endpoints_updated: 1 });
    // Every device's observation is written (created, refreshed, not an iDRAC), and no address was reconciled.
    for (const a of ['10.9.0.1', '10.9.0.2', '10.9.0.3', '10.9.0.5']) expect(await observationsAt(deps.store, a)).toHaveLength(1);
    expect(deps.store.findingsReadAt).toEqual([]);
    expect(queue.ipam).toEqual([{ task: 'ipam-reconcile', reason: `discovery run ${run.id} found 4 device(s)` }]);
  });

  it('a sweep that finds nothing queues no full pass', async () => {
    const { run } = await start();
    await drain(0);
    expect(await runOf(run.id)).toMatchObject({ status: 'succeeded', found: 0, unreachable: 6 });
    expect(queue.ipam).toEqual([]);
  });

  it('refreshing one endpoint reconciles its address at once and queues no full pass', async () => {
    fake.behaviour.set('10.9.0.3', 'idrac9');
    const ep = await createDellEndpoint(deps, DellEndpointCreate.parse({ address: '10.9.0.3', site_id: 'site-lab' }), 'alice');
    await refreshDellEndpoint(deps, ep.id);
    expect(deps.store.findingsReadAt).toEqual(['10.9.0.3']);
    expect(queue.ipam).toEqual([]);
  });
});

describe('overlapping sites', () => {
  it('an address registered under another site is refreshed there, not registered twice', async () => {
    fake.behaviour.set('10.9.0.4', 'idrac9');
    await createSite(deps, SiteCreate.parse({ id: 'site-other', name: 'other', management_networks: ['10.9.0.0/24'] }), 'alice');
    const other = await createDellEndpoint(
      deps,
      DellEndpointCreate.parse({ id: 'idrac-elsewhere', address: '10.9.0.4', site_id: 'site-other' }),
      'alice',
    );
    const { run } = await start();
    await drain(0);
    expect(await runOf(run.id)).toMatchObject({ status: 'succeeded', found: 1, endpoints_created: 0, endpoints_updated: 1 });
    expect(await endpointsOfSite(deps.store, 'site-lab')).toEqual([]);
    const refreshed = (await endpointsOfSite(deps.store, 'site-other'))[0]!;
    expect(refreshed).toMatchObject({ id: other.id, status: 'reachable', version: 2 });
  });
});

describe('legacy TLS during a sweep', () => {
  it('an iDRAC offering only TLS 1.0/1.1 becomes an unreachable endpoint saying how to allow it; marked legacy, it answers', async () => {
    fake.behaviour.set('10.9.0.3', 'legacy-tls');
    const { run } = await start();
    await drain(0);
    expect(await runOf(run.id)).toMatchObject({ status: 'succeeded', found: 0, unreachable: 6, endpoints_created: 1 });
    const [ep] = await endpointsOfSite(deps.store, 'site-lab');
    expect(ep).toMatchObject({ address: '10.9.0.3', status: 'unreachable', last_error: { code: 'tls_legacy_only' } });
    expect(ep!.last_error!.message).toContain(`PATCH /api/v1/dell/endpoints/${ep!.id} with {"tls": {"legacy": true}}`);
    await updateDellEndpoint(deps, ep!.id, DellEndpointUpdate.parse({ tls: { legacy: true } }));
    expect(await refreshDellEndpoint(deps, ep!.id)).toMatchObject({ status: 'reachable', last_error: { code: 'not_supported' } });
  });
});

describe('the nightly schedule', () => {
  const site = (id: string, management_networks: string[]) =>
    createSite(deps, SiteCreate.parse({ id, name: id, management_networks }), 'alice');
  const sliced = () => queue.sent.map((m) => JSON.parse(m.body) as Slice);

  it('sweeps every site, in runs of at most 50; a network larger than /20 is skipped and named, the rest swept', async () => {
    for (let i = 0; i < 120; i++) await site(`site-s${String(i).padStart(3, '0')}`, [`10.20.${i}.0/30`]);
    await site('site-mixed', ['10.30.0.0/30', '10.40.0.0/16']);
    await site('site-huge', ['10.50.0.0/16']);
    await site('site-v6', ['fd00::/64']);
    await site('site-none', []);
    const runs = await discoverAllSites(deps);

    // 123 sites with IPv4 networks, 50 to a run; the first 50 hold site-huge, which has nothing to sweep.
    expect(runs.map((r) => r.site_ids.length)).toEqual([49, 50, 23]);
    expect(runs.every((r) => r.trigger === 'schedule')).toBe(true);
    const swept = runs.flatMap((r) => r.site_ids);
    expect(new Set(swept).size).toBe(122); // the 120, site-lab and site-mixed, each once
    expect(swept).not.toContain('site-huge');
    expect(swept).not.toContain('site-v6');
    expect(runs.flatMap((r) => r.skipped ?? [])).toEqual([
      { site_id: 'site-huge', networks: ['10.50.0.0/16'], reason: expect.stringContaining('larger than /20') },
      { site_id: 'site-mixed', networks: ['10.40.0.0/16'], reason: expect.stringContaining('larger than /20') },
    ]);
    const planned = sliced().flatMap((m) => m.addresses);
    expect(planned).toHaveLength(120 * 2 + 6 + 2);
    expect(planned).toContain('10.20.119.2');
    expect(planned).toContain('10.30.0.1');
    expect(planned.some((a) => a.startsWith('10.40.') || a.startsWith('10.50.'))).toBe(false);

    for (const s of sliced()) expect(await deliver(s)).toBe(false);
    const ended = await Promise.all(runs.map((r) => runOf(r.id)));
    const [withSkips, ...others] = ended;
    expect(withSkips).toMatchObject({ status: 'partial', errors: 0, skipped: expect.any(Array) });
    expect(withSkips!.status_reason).toBe(
      "2 site(s) have networks that were not swept (see skipped); site 'site-huge': network 10.50.0.0/16 is larger than /20 " +
        '(65,536 addresses; a sweep covers at most 4,096): split it into /20 or smaller networks, or register its iDRACs individually',
    );
    expect(others.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('a site that cannot be planned is skipped and named; the others are swept', async () => {
    await site('site-broken', ['10.60.0.0/30']);
    deps.store.failEndpointsOf = 'site-broken';
    const [run, ...more] = await discoverAllSites(deps);
    expect(more).toEqual([]);
    expect(run).toMatchObject({ site_ids: ['site-lab'], total: 6 });
    expect(run!.skipped).toEqual([
      {
        site_id: 'site-broken',
        networks: ['10.60.0.0/30'],
        reason: expect.stringContaining('its registered endpoints could not be read (ProvisionedThroughputExceededException)'),
      },
    ]);
    for (const s of sliced()) await deliver(s);
    expect(await runOf(run!.id)).toMatchObject({ status: 'partial', probed: 6, errors: 0 });
  });

  it('a run of sites none of which can be swept ends failed, saying why', async () => {
    deps.store = new FaultyStore(); // without site-lab
    await site('site-huge', ['10.50.0.0/16', '10.51.0.0/16']);
    const [run] = await discoverAllSites(deps);
    expect(queue.sent).toEqual([]);
    expect(await runOf(run!.id)).toMatchObject({
      status: 'failed',
      total: 0,
      site_ids: [],
      status_reason: expect.stringMatching(/^nothing was swept; 1 site\(s\) have networks .* networks 10\.50\.0\.0\/16, 10\.51\.0\.0\/16/),
    });
  });

  it('starts no run when no site has an IPv4 management network', async () => {
    deps.store = new FaultyStore();
    await site('site-v6', ['fd00::/64']);
    expect(await discoverAllSites(deps)).toEqual([]);
  });
});

describe('the discovery worker', () => {
  const record = (slice: Slice, receiveCount: number): SQSRecord =>
    ({
      messageId: `msg-${slice.chunk}`,
      body: JSON.stringify(slice),
      attributes: { ApproximateReceiveCount: String(receiveCount) },
    }) as unknown as SQSRecord;
  const context = { getRemainingTimeInMillis: () => 300_000 } as Context;

  it("reads ApproximateReceiveCount: earlier receives fail the slice, the pool's last one counts it", async () => {
    provideDeps(deps as unknown as Deps);
    const { run, slices } = await start();
    deps.store.failSiteRead = 'boom';
    for (const slice of slices) {
      // A batch whose records all failed is thrown (Powertools), so the message comes back.
      for (let receive = 1; receive < MAX; receive++)
        await expect(discoveryWorker({ Records: [record(slice, receive)] } as SQSEvent, context)).rejects.toThrow(/All records failed/);
      expect((await discoveryWorker({ Records: [record(slice, MAX)] } as SQSEvent, context)).batchItemFailures).toEqual([]);
    }
    expect(await runOf(run.id)).toMatchObject({ status: 'failed', errors: 6 });
  });
});
