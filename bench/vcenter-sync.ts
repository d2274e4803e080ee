/**
 * vCenter full-sync benchmark (issue 4, "benchmarked against govmomi"; issue 17, the sync against that floor).
 *
 *   bash scripts/vcsim/build.sh && npx tsx bench/vcenter-sync.ts [--clusters 10 --hosts 20 --vms 50] [--runs 3]
 *
 * `npm run bench:vcenter` runs it with NODE_OPTIONS=--max-semi-space-size=64, as `npm start` runs the stack; run
 * directly, set the same to measure the stack as it runs.
 *
 * --hosts is hosts per cluster, --vms is VMs per host (vcsim's -vm): the default is 10 × 20 hosts × 50 =
 * 10,000 VMs on 200 hosts. Starts vcsim on 127.0.0.1 with that model, starts the local stack in-process
 * (embedded DynamoDB in a temp dir) and, --runs times, registers a new vCenter instance through the API, runs
 * a full sync via POST /api/v1/vcenter/sync and polls the SyncRun, then a second full sync (nothing changed:
 * should write nothing); each sync is set against govmomi's retrieval of the sync's properties right before
 * and after it, so both meet the same load on a shared machine. After the first round, delta syncs after 1
 * and 20 VMs powered off. Then times retrieval only — EIO's client (RetrievePropertiesEx over a ContainerView,
 * pages of 1,000, typed decode) against govmomi (view.NewManager(c).CreateContainerView + v.Retrieve into
 * mo.VirtualMachine / mo.HostSystem; scripts/vcsim/bench-govmomi.go) on the same vcsim, with the same
 * property lists: the sync's own (SYNC_PATHS) and the 8 VM / 6 host properties of the client-choice bench.
 * Prints objects synced, sync wall time (end to end: POST until the run's own finished_at, same machine and
 * clock, as the discovery bench times its sweep, so the 100 ms poll interval does not count; also POST until
 * the poll saw it succeed, and the SyncRun's duration_ms and phases), the ratios to govmomi per round (of the
 * finished_at figure, and of the poll figure) and their median, how many times vcsim's
 * PropertyCollector handed out the inventory per full sync (its /eio/stats counts), retrieval
 * times and ratio, peak RSS. Every wait is bounded; all traffic is to 127.0.0.1. EIO_VCSIM_BINARY names
 * another vcsim build (test/support/vcsim.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { containerViewSpec, SYNC_PATHS } from '../shared/adapters/vsphere';
import { type Harness, startHarness } from '../test/support/harness';
import { startVcsim, type Vcsim, type VcsimServed } from '../test/support/vcsim';
import { waitFor } from '../test/support/wait';
import { clientFor } from '../test/vsphere/helpers';

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string', default: '10' },
    hosts: { type: 'string', default: '20' },
    vms: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    'sync-timeout': { type: 'string', default: '1800' },
  },
});
const num = (k: keyof typeof args) => {
  const n = Number(args[k]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${k} must be a positive integer, got ${args[k]}`);
  return n;
};
const clusters = num('clusters');
const hostsPerCluster = num('hosts');
const vmsPerHost = num('vms');
const runs = num('runs');
const syncTimeoutMs = num('sync-timeout') * 1000;

const PROPERTY_SETS: { name: string; VirtualMachine: string[]; HostSystem: string[] }[] = [
  { name: 'sync paths', VirtualMachine: SYNC_PATHS.VirtualMachine!, HostSystem: SYNC_PATHS.HostSystem! },
  {
    name: '8 VM / 6 host',
    VirtualMachine: [
      'name',
      'config.uuid',
      'config.instanceUuid',
      'runtime.powerState',
      'runtime.host',
      'guest.net',
      'guest.toolsRunningStatus',
      'datastore',
    ],
    HostSystem: ['name', 'runtime.connectionState', 'runtime.powerState', 'runtime.inMaintenanceMode', 'hardware.systemInfo', 'parent'],
  },
];

const log = (...a: unknown[]) => console.error('[bench]', ...a);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const mb = (kb: number) => Math.round(kb / 1024);
/** Peak RSS of another process (kB), from /proc. */
const peakRssKb = (pid: number) => {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
};

async function syncVia(h: Harness, sim: Vcsim, instanceId: string, syncType: 'full' | 'delta') {
  const before = await sim.served();
  const t0 = performance.now();
  const postedAt = Date.now();
  const res = await h.call('POST', '/api/v1/vcenter/sync', { role: 'operator', body: { instance_ids: [instanceId], sync_type: syncType } });
  if (res.status !== 202) throw new Error(`POST /api/v1/vcenter/sync: ${res.status} ${res.text}`);
  const id = (res.body.sync_run_ids as string[])[0]!;
  const run = await waitFor(
    `sync run ${id}`,
    async () => {
      const r = await h.call('GET', `/api/v1/vcenter/sync-runs/${id}`, { role: 'viewer' });
      return r.body?.status === 'succeeded' || r.body?.status === 'failed' ? r.body : undefined;
    },
    syncTimeoutMs,
    100,
  );
  const polledMs = Math.round(performance.now() - t0);
  if (run.status !== 'succeeded') throw new Error(`sync run ${id} failed: ${run.error}`);
  const endToEndMs = Date.parse(run.finished_at) - postedAt;
  return { ...run, end_to_end_ms: endToEndMs, polled_ms: polledMs, served: servedSince(before, await sim.served()) };
}

/** What vcsim served during a sync: PropertyCollector calls by method, objects handed out (retrieved or as updates). */
function servedSince(before: VcsimServed, after: VcsimServed) {
  const calls: Record<string, number> = {};
  for (const [method, n] of Object.entries(after.calls))
    if (n > (before.calls[method] ?? 0)) calls[method] = n - (before.calls[method] ?? 0);
  const objects = after.objects_retrieved - before.objects_retrieved + (after.object_updates - before.object_updates);
  return { calls, objects };
}

async function eioRetrieve(sim: Vcsim, set: (typeof PROPERTY_SETS)[number]) {
  const vc = clientFor(sim);
  const out: { vms: number; hosts: number; vm_ms: number; host_ms: number; total_ms: number }[] = [];
  try {
    await vc.login();
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const view = await vc.createContainerView(['VirtualMachine', 'HostSystem']);
      let vms = 0;
      for await (const o of vc.retrievePropertiesEx([containerViewSpec(view, { VirtualMachine: set.VirtualMachine })], {
        maxObjects: 1000,
      }))
        if (o) vms++;
      const t1 = performance.now();
      let hosts = 0;
      for await (const o of vc.retrievePropertiesEx([containerViewSpec(view, { HostSystem: set.HostSystem })], { maxObjects: 1000 }))
        if (o) hosts++;
      const t2 = performance.now();
      await vc.destroyView(view);
      out.push({ vms, hosts, vm_ms: t1 - t0, host_ms: t2 - t1, total_ms: t2 - t0 });
    }
  } finally {
    await vc.close().catch(() => undefined);
  }
  return out;
}

function govmomiRetrieve(binary: string, sim: Vcsim, caFile: string, set: (typeof PROPERTY_SETS)[number], count = runs) {
  return new Promise<{ vms: number; hosts: number; vm_ms: number; host_ms: number; total_ms: number }[]>((done, fail) => {
    const child = spawn(
      binary,
      [
        `-url=${sim.url}`,
        `-user=${sim.user}`,
        `-ca=${caFile}`,
        `-runs=${count}`,
        `-vm-props=${set.VirtualMachine.join(',')}`,
        `-host-props=${set.HostSystem.join(',')}`,
        '-timeout=10m',
      ],
      { env: { ...process.env, BENCH_VC_PASSWORD: sim.password }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 11 * 60_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return fail(new Error(`bench-govmomi exited ${code}: ${stderr.trim()}`));
      done(
        stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      );
    });
  });
}

async function main() {
  const root = new URL('..', import.meta.url).pathname;
  const govmomi = execFileSync('bash', [join(root, 'scripts/vcsim/build-bench.sh')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  const started = new Date().toISOString();
  log(`vcsim: ${clusters} clusters × ${hostsPerCluster} hosts × ${vmsPerHost} VMs/host = ${clusters * hostsPerCluster * vmsPerHost} VMs`);
  const t = performance.now();
  const sim = await startVcsim({ clusters, hostsPerCluster, vmsPerHost, startTimeoutMs: 600_000 });
  const vcsimStartMs = Math.round(performance.now() - t);
  log(`vcsim ready in ${vcsimStartMs} ms:`, sim.counts);
  const tmp = await mkdtemp(join(tmpdir(), 'eio-bench-'));
  const caFile = join(tmp, 'vcsim.pem');
  await writeFile(caFile, sim.certPem);
  let h: Harness | undefined;
  try {
    h = await startHarness();
    const must = async (p: Promise<{ status: number; text: string }>, what: string) => {
      const r = await p;
      if (r.status !== 201) throw new Error(`${what}: ${r.status} ${r.text}`);
    };
    await must(h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-bench', name: 'Bench' } }), 'site');
    await must(
      h.call('POST', '/api/v1/service-identities', {
        role: 'admin',
        body: { id: 'si-bench', name: 'si-bench', target_kind: 'vcenter', username: sim.user, secret: sim.password },
      }),
      'service identity',
    );
    const register = (id: string) =>
      must(
        h!.call('POST', '/api/v1/vcenter/instances', {
          role: 'admin',
          body: { id, url: sim.url, site_id: 'site-bench', service_identity_id: 'si-bench', tls: { ca_pem: sim.certPem } },
        }),
        `instance ${id}`,
      );
    // The machine may be shared: each full sync is set against govmomi's retrieval of the sync's properties
    // right before and after it, so both sides meet the same load. Each round syncs a new instance (a first
    // full sync writes everything), then syncs it again with nothing changed.
    const govmomiOnce = async () => (await govmomiRetrieve(govmomi, sim, caFile, PROPERTY_SETS[0]!, 1))[0]!.total_ms;
    const round = async (i: number) => {
      const id = `vc-bench-${i}`;
      await register(id);
      const before = await govmomiOnce();
      log(`round ${i}: full sync …`);
      const full = await syncVia(h!, sim, id, 'full');
      const between = await govmomiOnce();
      log(`round ${i}: full sync with nothing changed …`);
      const unchanged = await syncVia(h!, sim, id, 'full');
      const after = await govmomiOnce();
      log(
        `round ${i}: full ${full.end_to_end_ms} ms, unchanged ${unchanged.end_to_end_ms} ms; ` +
          `govmomi ${[before, between, after].map(Math.round)}`,
      );
      return {
        full,
        unchanged,
        govmomi: [before, between, after],
        fullRatio: full.end_to_end_ms / ((before + between) / 2),
        unchangedRatio: unchanged.end_to_end_ms / ((between + after) / 2),
        fullPolledRatio: full.polled_ms / ((before + between) / 2),
        unchangedPolledRatio: unchanged.polled_ms / ((between + after) / 2),
      };
    };
    const rounds = [await round(1)];
    const first = rounds[0]!.full;
    const objects = Object.values(first.counts as Record<string, number>).reduce((a, b) => a + b, 0);
    // Delta sync cost should follow the number of changes, not the inventory: 1 VM, then 20 VMs powered off.
    // Before the other rounds, whose idle filters vcsim would also check at every change.
    const deltas: { changed: number; run: Awaited<ReturnType<typeof syncVia>> }[] = [];
    const listed = await h.call('GET', '/api/v1/vcenter/instances/vc-bench-1/vms?limit=21&power_state=poweredOn', { role: 'viewer' });
    const onVms = (listed.body.items as { id: string }[]).map((v) => ({ type: 'VirtualMachine', value: v.id }));
    const vc = clientFor(sim);
    try {
      await vc.login();
      for (const batch of [onVms.slice(0, 1), onVms.slice(1, 21)]) {
        log(`delta sync after powering off ${batch.length} VM(s) …`);
        for (const vm of batch) await vc.waitForTask((await vc.invoke('PowerOffVM_Task', vm)) as never);
        // vcsim re-collects the whole view for every change it reports, so on a loaded machine a delta can miss
        // the 60 s call timeout; its retry then runs full. That is reported, not hidden.
        const run = await syncVia(h, sim, 'vc-bench-1', 'delta');
        deltas.push({ changed: batch.length, run });
      }
    } finally {
      await vc.close().catch(() => undefined);
    }
    for (let i = 2; i <= runs; i++) rounds.push(await round(i));
    await h.close();
    h = undefined;

    const retrieval: Record<
      string,
      { eio: Awaited<ReturnType<typeof eioRetrieve>>; govmomi: Awaited<ReturnType<typeof govmomiRetrieve>> }
    > = {};
    for (const set of PROPERTY_SETS) {
      log(`retrieval, ${set.name}: EIO client ×${runs} …`);
      const eio = await eioRetrieve(sim, set);
      log(`retrieval, ${set.name}: govmomi ×${runs} …`);
      const gm = await govmomiRetrieve(govmomi, sim, caFile, set);
      retrieval[set.name] = { eio, govmomi: gm };
    }
    const nodePeakKb = process.resourceUsage().maxRSS;
    const vcsimPeakKb = peakRssKb(sim.pid);

    const r1 = (x: number) => Math.round(x);
    /** How many times vcsim handed out the whole inventory (objects served ÷ objects synced), and the calls it took. */
    const passes = (run: Awaited<ReturnType<typeof syncVia>>) =>
      `${(run.served.objects / objects).toFixed(2)} full retrievals ` +
      `(${run.served.objects} objects served; calls ${JSON.stringify(run.served.calls)})`;
    const phases = (run: Awaited<ReturnType<typeof syncVia>>) => JSON.stringify(run.phase_ms);
    console.log(`\nvCenter full sync benchmark — ${started}`);
    console.log(`vcsim: ${sim.counts.clusters} clusters, ${sim.counts.hosts} hosts, ${sim.counts.vms} VMs (started in ${vcsimStartMs} ms)`);
    console.log(
      `full sync (API → queue → worker → DynamoDB local; end to end = POST until the run's finished_at; ` +
        `polled = POST until the 100 ms poll saw it succeed) ` +
        `against govmomi's retrieval of the sync's properties just before and after it; ${objects} objects, ` +
        `counts ${JSON.stringify(first.counts)}, written ${first.changes.written}, ip_observations ${first.changes.ip_observations}:`,
    );
    for (const [i, r] of rounds.entries()) {
      const g = r.govmomi.map(r1);
      console.log(
        `  round ${i + 1}: full ${r.full.end_to_end_ms} ms (polled ${r.full.polled_ms}; duration_ms ${r.full.duration_ms}; ` +
          `phases ${phases(r.full)}) vs govmomi ${g[0]}/${g[1]} ms = ${r.fullRatio.toFixed(2)}× ` +
          `(polled ${r.fullPolledRatio.toFixed(2)}×); unchanged ${r.unchanged.end_to_end_ms} ms (polled ${r.unchanged.polled_ms}; ` +
          `written ${r.unchanged.changes.written}; phases ${phases(r.unchanged)}) ` +
          `vs govmomi ${g[1]}/${g[2]} ms = ${r.unchangedRatio.toFixed(2)}× (polled ${r.unchangedPolledRatio.toFixed(2)}×)`,
      );
      console.log(`    vcsim served: full ${passes(r.full)}; unchanged ${passes(r.unchanged)}`);
    }
    console.log(
      `  median of ${rounds.length}: full sync ${median(rounds.map((r) => r.fullRatio)).toFixed(2)}× govmomi, ` +
        `unchanged re-sync ${median(rounds.map((r) => r.unchangedRatio)).toFixed(2)}× govmomi ` +
        `(polled: ${median(rounds.map((r) => r.fullPolledRatio)).toFixed(2)}×, ` +
        `${median(rounds.map((r) => r.unchangedPolledRatio)).toFixed(2)}×); full retrievals per full sync ` +
        `${[...new Set(rounds.flatMap((r) => [r.full, r.unchanged]).map((x) => (x.served.objects / objects).toFixed(2)))].join(', ')}`,
    );
    for (const d of deltas)
      console.log(
        `delta sync after ${d.changed} VM(s) powered off: ${d.run.duration_ms} ms (end to end ${d.run.end_to_end_ms} ms); ` +
          (d.run.executed_type === 'delta' ? '' : `RAN ${d.run.executed_type}: ${d.run.fallback_reason}; `) +
          `changes ${JSON.stringify(d.run.changes)}; phases ${JSON.stringify(d.run.phase_ms)}; ` +
          `vcsim served ${d.run.served.objects} objects`,
      );
    console.log(`retrieval only (view + RetrievePropertiesEx VMs, then hosts; median of ${runs}):`);
    for (const [name, { eio, govmomi: gm }] of Object.entries(retrieval)) {
      const e = median(eio.map((x) => x.total_ms));
      const g = median(gm.map((x) => x.total_ms));
      console.log(
        `  ${name.padEnd(14)} EIO ${r1(e)} ms (VMs ${r1(median(eio.map((x) => x.vm_ms)))}, ` +
          `hosts ${r1(median(eio.map((x) => x.host_ms)))}; ${eio[0]!.vms} VMs, ${eio[0]!.hosts} hosts)` +
          ` | govmomi ${r1(g)} ms (VMs ${r1(median(gm.map((x) => x.vm_ms)))}, ` +
          `hosts ${r1(median(gm.map((x) => x.host_ms)))}; ${gm[0]!.vms} VMs, ${gm[0]!.hosts} hosts)` +
          ` | ratio ${(e / g).toFixed(2)}×`,
      );
      console.log(`    runs EIO [${eio.map((x) => r1(x.total_ms)).join(', ')}] govmomi [${gm.map((x) => r1(x.total_ms)).join(', ')}]`);
    }
    console.log(`peak RSS: bench process (stack + sync + EIO client) ${mb(nodePeakKb)} MB; vcsim ${mb(vcsimPeakKb)} MB`);
  } finally {
    await h?.close().catch(() => undefined);
    await sim.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
