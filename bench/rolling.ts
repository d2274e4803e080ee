/**
 * Rolling firmware update benchmark (issue 12): a cluster target, its hosts updated `--concurrency` at a time.
 *
 *   bash scripts/vcsim/build.sh && npx tsx bench/rolling.ts [--hosts 32 --vms 2 --concurrency 4 --delay-ms 1000 --speed 10]
 *     [--poll-ms 200]
 *
 * Starts vcsim on 127.0.0.1 with one cluster of `--hosts` hosts carrying `--vms` VMs each, every vSphere task
 * taking `--delay-ms`; one simulated iDRAC per host (127.72.0.x) reporting that host's SMBIOS UUID, so EIO links
 * them, with the simulators' firmware durations divided by `--speed` (download, scheduling, reboot with POST,
 * the update's run); the local stack in-process, hearing every state its workflows enter and leave, polling the
 * iDRACs every `--poll-ms` (FIRMWARE_POLL_MS). Registers vcsim and the iDRACs, syncs, submits a firmware_update
 * job with one BIOS image on the cluster (max_hosts_in_maintenance = concurrency) and waits for it. Prints:
 * - wall time against the ideal = hosts ÷ concurrency × one host's outside time, where a host's outside time is
 *   what vSphere and the iDRAC take for it: the union of its vSphere task steps (migrations, enter and exit
 *   maintenance) and of its iDRAC's own work as the simulator timed it (each update job downloading and
 *   running, the server off in its reboot), not EIO's steps around it: noticing that a job ended is EIO's time;
 * - the time before the first host's first state (the job's plan) and after the last host's last;
 * - EIO's own time per host: the host's span (first state entered to last left) minus its outside time, by
 *   state, so the step that takes it shows (the delay of noticing a job's end shows in "Wait for updates");
 * - state transitions per host (what Step Functions bills): states entered in its Map iteration.
 * Every wait is bounded; all traffic is to loopback.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SimulatorFleet } from '../infra/local/simulators';
import type { SimEvent } from '../infra/local/simulators/state/events';
import type { StateEvent } from '../shared/adapters/workflows/local-workflows';
import { type Harness, startHarness } from '../test/support/harness';
import { registerSimulatedIdrac } from '../test/support/simulated-idracs';
import { startVcsim } from '../test/support/vcsim';
import { waitFor } from '../test/support/wait';
import { coveredIn, type Interval, must, unionLength } from './support/intervals';
import { registerAndSyncVcsim } from './support/vcsim-lab';

const { values: args } = parseArgs({
  options: {
    hosts: { type: 'string', default: '32' },
    vms: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '4' },
    'delay-ms': { type: 'string', default: '1000' },
    speed: { type: 'string', default: '10' },
    'poll-ms': { type: 'string', default: '200' },
    'job-timeout': { type: 'string', default: '1800' },
  },
});
const positive = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
};
const hostCount = positive('hosts', args.hosts);
const vmsPerHost = positive('vms', args.vms);
const concurrency = positive('concurrency', args.concurrency);
const delayMs = positive('delay-ms', args['delay-ms']);
const speed = positive('speed', args.speed);
const pollMs = positive('poll-ms', args['poll-ms']);
const jobTimeoutMs = positive('job-timeout', args['job-timeout']) * 1000;

const log = (...a: unknown[]) => console.error('[bench]', ...a);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

type Step = { name: string; target_id?: string; started_at: string; finished_at?: string; external_task_id?: string };
const CERT_DIR = join(tmpdir(), 'eio-idrac-client-test-certs');

async function run() {
  const events: StateEvent[] = [];
  process.env.FIRMWARE_POLL_MS = String(pollMs);
  log(`vcsim 1 cluster × ${hostCount} hosts × ${vmsPerHost} VMs/host, task delay ${delayMs} ms; iDRAC durations ÷ ${speed}`);
  const sim = await startVcsim({ clusters: 1, hostsPerCluster: hostCount, vmsPerHost, spreadVms: true, taskDelayMs: delayMs });
  let h: Harness | undefined;
  let idracs: SimulatorFleet | undefined;
  const idracWork = new Map<string, Interval[]>();
  try {
    h = await startHarness({ onStateEvent: (e) => events.push(e) });
    const hh = h;
    await registerAndSyncVcsim(hh, sim, 'si-vc');
    await must(
      hh.call('POST', '/api/v1/service-identities', {
        role: 'admin',
        body: { id: 'si-idrac', name: 'si-idrac', target_kind: 'idrac', username: 'root', secret: 'calvin' },
      }),
      201,
      'si-idrac',
    );
    const hosts = (await must(hh.call('GET', '/api/v1/vcenter/instances/vc-bench/hosts?limit=200', { role: 'viewer' }), 200, 'hosts'))
      .items as { hardware_uuid: string }[];
    idracs = await SimulatorFleet.start({
      count: hosts.length,
      baseAddress: '127.72.0.1',
      certDir: CERT_DIR,
      speed,
      seed: 'bench-rolling',
      endpoint: (i) => ({ systemUuid: hosts[i]!.hardware_uuid }),
      onEvent: iDracWorkTimer(idracWork),
    });
    for (const [i, idrac] of idracs.info().entries())
      await registerSimulatedIdrac(hh, `idrac-bench-${i}`, idrac, { site_id: 'site-bench', service_identity_id: 'si-idrac' });
    const cluster = (await must(hh.call('GET', '/api/v1/vcenter/instances/vc-bench/clusters', { role: 'viewer' }), 200, 'clusters'))
      .items[0];
    const body = {
      type: 'firmware_update',
      target_ids: [cluster.target_id],
      params: {
        images: [{ uri: 'https://repo.example/dell/BIOS_8DHFN_WN64_2.19.1.EXE', component: 'BIOS' }],
        max_hosts_in_maintenance: concurrency,
      },
    };
    const planned = await must(hh.call('POST', '/api/v1/jobs/plan', { role: 'operator', body }), 200, 'plan');
    if (planned.plan.refused) throw new Error(`the plan is refused: ${JSON.stringify(planned.plan.findings)}`);
    log(`plan: ${planned.plan.servers.length} hosts, each inside host maintenance; submitting the job`);
    const submitted = await must(hh.call('POST', '/api/v1/jobs', { role: 'operator', body }), 202, 'job');
    const job = await waitFor(
      `job ${submitted.id}`,
      async () => {
        const r = await hh.call('GET', `/api/v1/jobs/${submitted.id}`, { role: 'viewer' });
        log(`job ${r.body?.status}: ${r.body?.steps?.length} steps`);
        return ['succeeded', 'failed', 'cancelled'].includes(r.body?.status) ? r.body : undefined;
      },
      jobTimeoutMs,
      5_000,
    );
    if (job.status !== 'succeeded') throw new Error(`job ${job.id} ended ${job.status}: ${job.status_reason}`);
    await waitFor('the execution to end', async () =>
      events.some((e) => e.state === 'Finish job' && e.kind === 'exited') ? true : undefined,
    );
    const servers = planned.plan.servers as { target_id: string; endpoint_id: string }[];
    return {
      job,
      servers: servers.map((x) => x.target_id),
      idracWork: new Map(servers.map((x) => [x.target_id, idracWork.get(x.endpoint_id) ?? []])),
      events,
    };
  } finally {
    await h?.close().catch(() => undefined);
    await idracs?.stop().catch(() => undefined);
    await sim.stop();
  }
}

/**
 * Times each simulated iDRAC's own work, keyed by its endpoint id (`idrac-bench-<index>`): an update job from its
 * creation until its download ends and from Running until it ends; the server from leaving On (off in its reboot)
 * until POST begins (where its staged jobs run). The simulators run in this process, on the clock EIO's states use.
 */
function iDracWorkTimer(work: Map<string, Interval[]>) {
  const open = new Map<string, number>();
  const close = (key: string, endpoint: string, now: number) => {
    const from = open.get(key);
    if (from === undefined) return;
    open.delete(key);
    work.set(endpoint, [...(work.get(endpoint) ?? []), [from, now]]);
  };
  return (index: number, event: SimEvent) => {
    const endpoint = `idrac-bench-${index}`;
    const now = Date.now();
    if (event.type === 'job') {
      const key = `${endpoint} ${event.jobId}`;
      const busy = event.state === 'Downloading' || event.state === 'Running';
      if (busy && !open.has(key)) open.set(key, now);
      else if (!busy) close(key, endpoint, now);
    } else if (event.type === 'power') {
      const key = `${endpoint} power`;
      if (event.state === 'Off' || event.state === 'PoweringOff') {
        if (!open.has(key)) open.set(key, now);
      } else close(key, endpoint, now);
    }
  };
}

function report({ job, servers, idracWork, events }: Awaited<ReturnType<typeof run>>) {
  const steps = job.steps as Step[];
  const at = (iso: string) => Date.parse(iso);
  const wall = at(job.finished_at) - at(job.started_at);
  const mine = (e: StateEvent) => (e.input as { target_id?: unknown } | null)?.target_id;
  const perHost = servers.map((target) => {
    const own = steps.filter((x) => x.target_id === target);
    const vsphere: Interval[] = own
      .filter((x) => x.external_task_id?.startsWith('task-') && x.finished_at)
      .map((x) => [at(x.started_at), at(x.finished_at!)]);
    const outside = [...vsphere, ...(idracWork.get(target) ?? [])];
    const evs = events.filter((e) => mine(e) === target);
    const entered = evs.filter((e) => e.kind === 'entered');
    const span: Interval = [Math.min(...entered.map((e) => e.at)), Math.max(...evs.map((e) => e.at))];
    const byState = new Map<string, number>();
    const open = new Map<string, number>();
    for (const e of evs) {
      if (e.kind === 'entered') open.set(e.state, e.at);
      else if (open.has(e.state)) {
        const sp: Interval = [open.get(e.state)!, e.at];
        byState.set(e.state, (byState.get(e.state) ?? 0) + (sp[1] - sp[0]) - coveredIn(outside, sp));
        open.delete(e.state);
      }
    }
    const outsideMs = unionLength(outside);
    return { outsideMs, span, ownMs: span[1] - span[0] - coveredIn(outside, span), transitions: entered.length, byState };
  });
  const meanOutside = sum(perHost.map((x) => x.outsideMs)) / perHost.length;
  const ideal = (servers.length / concurrency) * meanOutside;
  const own = perHost.map((x) => x.ownMs);
  const states = [...new Set(perHost.flatMap((x) => [...x.byState.keys()]))];
  const transitions = perHost.map((x) => x.transitions);
  const allEntered = events.filter((e) => e.kind === 'entered').length;
  console.log(`\n— firmware_update of ${servers.length} hosts, ${concurrency} at a time —`);
  console.log(`vSphere task delay ${delayMs} ms; ${vmsPerHost} VMs per host; iDRAC durations ÷ ${speed}; FIRMWARE_POLL_MS ${pollMs}`);
  console.log(
    `one host's outside time (its vSphere tasks ∪ its iDRAC's own work: downloads, off in the reboot, updates running): ` +
      `median ${s(median(perHost.map((x) => x.outsideMs)))}, mean ${s(meanOutside)}`,
  );
  console.log(`ideal = ${servers.length} ÷ ${concurrency} × ${s(meanOutside)} = ${s(ideal)}`);
  console.log(`wall time (job started_at → finished_at) ${s(wall)} = ${(wall / ideal).toFixed(3)}× the ideal (target ≤ 1.1×)`);
  const firstHost = Math.min(...perHost.map((x) => x.span[0]));
  const lastHost = Math.max(...perHost.map((x) => x.span[1]));
  console.log(
    `before the first host (the job's plan) ${s(firstHost - at(job.started_at))}, ` +
      `after the last host ${s(at(job.finished_at) - lastHost)}`,
  );
  console.log(`EIO's own time per host: median ${s(median(own))}, max ${s(Math.max(...own))}`);
  console.log(
    `  by state (median per host): ${states.map((st) => `${st} ${s(median(perHost.map((x) => x.byState.get(st) ?? 0)))}`).join(', ')}`,
  );
  console.log(
    `state transitions per host: ${Math.min(...transitions)}–${Math.max(...transitions)}; ` +
      `whole execution ${allEntered} = ${(allEntered / servers.length).toFixed(1)} per host`,
  );
}

async function main() {
  console.log(`rolling firmware update benchmark — ${new Date().toISOString()}`);
  report(await run());
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
