/**
 * Rolling host maintenance benchmark (issue 11): a cluster target, its hosts 2 and 4 at a time.
 *
 *   bash scripts/vcsim/build.sh && npx tsx bench/host-maintenance.ts [--hosts 16 --vms 20 --delay-ms 2000 --concurrency 2,4]
 *     [--migrations-per-host 4] [--placement even|vcsim] [--update-interval-ms 25]
 *
 * For each concurrency (max_hosts_in_maintenance): starts vcsim on 127.0.0.1 with one cluster of `--hosts`
 * hosts and `--vms` VMs on each (`--placement vcsim`: as many in all, on hosts vcsim picks at random),
 * vcsim's collector looking for changes every `--update-interval-ms` (vCenter answers a waiting
 * WaitForUpdatesEx as changes happen; govmomi's vcsim polls every 250 ms, which `--update-interval-ms 250`
 * keeps), every vSphere task taking `--delay-ms` (vcsim -task-delay: a migration,
 * entering or leaving maintenance mode, a power operation); starts the local stack in-process (embedded
 * DynamoDB in a temp dir) with a hook that hears every state the workflows enter and leave; registers vcsim
 * as an instance and runs a full sync through the API; asks for the plan (POST /api/v1/jobs/plan), submits a
 * host_maintenance job on the cluster's target_id and polls it every 2 s until it ends (its own started_at and
 * finished_at give the wall time, not the poll). Then prints, from the job's steps and the state events:
 * - wall time against the ideal = hosts ÷ concurrency × one host's task time, where one host's task time is
 *   what vSphere itself takes with that delay: ceil(VMs to move ÷ migrations_per_host) × delay (migrations)
 *   + delay (enter) + delay (exit) (+ ceil(VMs to power on ÷ migrations_per_host) × delay when EIO stopped some);
 * - EIO's own time per host: the host's span (its first state entered to its last state left) minus the
 *   time at least one of its vSphere tasks ran (the union of its task steps, those with external_task_id);
 *   split by the state it was spent in, so the step that takes it shows;
 * - state transitions per host (what Step Functions bills): states entered inside the host's Map iteration,
 *   and all states of the execution ÷ hosts.
 * Every wait is bounded; all traffic is to 127.0.0.1.
 */
import { parseArgs } from 'node:util';
import type { StateEvent } from '../shared/adapters/workflows/local-workflows';
import { type Harness, startHarness } from '../test/support/harness';
import { startVcsim } from '../test/support/vcsim';
import { waitFor } from '../test/support/wait';
import { coveredIn, type Interval, must } from './support/intervals';
import { registerAndSyncVcsim } from './support/vcsim-lab';

const { values: args } = parseArgs({
  options: {
    hosts: { type: 'string', default: '16' },
    vms: { type: 'string', default: '20' },
    'delay-ms': { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '2,4' },
    'migrations-per-host': { type: 'string', default: '4' },
    'job-timeout': { type: 'string', default: '900' },
    placement: { type: 'string', default: 'even' },
    'update-interval-ms': { type: 'string', default: '25' },
  },
});
const positive = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
};
const hostCount = positive('hosts', args.hosts);
const vmsPerHost = positive('vms', args.vms);
const delayMs = positive('delay-ms', args['delay-ms']);
const concurrencies = String(args.concurrency)
  .split(',')
  .map((c) => positive('concurrency', c));
const migrationsPerHost = positive('migrations-per-host', args['migrations-per-host']);
const jobTimeoutMs = positive('job-timeout', args['job-timeout']) * 1000;
if (args.placement !== 'even' && args.placement !== 'vcsim') throw new Error(`--placement must be even or vcsim, got ${args.placement}`);
const spreadVms = args.placement === 'even';
const updateIntervalMs = positive('update-interval-ms', args['update-interval-ms']);

const log = (...a: unknown[]) => console.error('[bench]', ...a);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

type Step = { name: string; target_id?: string; started_at: string; finished_at?: string; duration_ms?: number; external_task_id?: string };
async function run(concurrency: number) {
  const events: StateEvent[] = [];
  log(`concurrency ${concurrency}: vcsim 1 cluster × ${hostCount} hosts × ${vmsPerHost} VMs/host, task delay ${delayMs} ms`);
  const sim = await startVcsim({ clusters: 1, hostsPerCluster: hostCount, vmsPerHost, spreadVms, taskDelayMs: delayMs, updateIntervalMs });
  let h: Harness | undefined;
  try {
    h = await startHarness({ onStateEvent: (e) => events.push(e) });
    const hh = h;
    await registerAndSyncVcsim(hh, sim, 'si-bench');
    const clusters = await must(hh.call('GET', '/api/v1/vcenter/instances/vc-bench/clusters', { role: 'viewer' }), 200, 'clusters');
    const cluster = clusters.items[0];
    const body = {
      type: 'host_maintenance',
      target_ids: [cluster.target_id],
      params: { max_hosts_in_maintenance: concurrency, migrations_per_host: migrationsPerHost },
    };
    const planned = await must(hh.call('POST', '/api/v1/jobs/plan', { role: 'operator', body }), 200, 'plan');
    const plan = planned.plan;
    if (plan.refused) throw new Error(`the plan is refused: ${JSON.stringify(plan.findings)}`);
    const moves = (plan.hosts as { moves: unknown[] }[]).map((x) => x.moves.length);
    log(`plan: ${plan.hosts.length} hosts, VMs to move per host ${Math.min(...moves)}–${Math.max(...moves)}; submitting the job`);

    const submitted = await must(hh.call('POST', '/api/v1/jobs', { role: 'operator', body }), 202, 'job');
    const job = await waitFor(
      `job ${submitted.id}`,
      async () => {
        const r = await hh.call('GET', `/api/v1/jobs/${submitted.id}`, { role: 'viewer' });
        log(`job ${r.body?.status}: ${r.body?.steps?.length} steps`);
        return ['succeeded', 'failed', 'cancelled'].includes(r.body?.status) ? r.body : undefined;
      },
      jobTimeoutMs,
      2_000,
    );
    if (job.status !== 'succeeded')
      throw new Error(`job ${job.id} ended ${job.status}: ${job.status_reason ?? JSON.stringify(job.result)}`);
    // The execution's last states ("Finish job") are left just after the job record says succeeded.
    await waitFor('the execution to end', async () =>
      events.some((e) => e.state === 'Finish job' && e.kind === 'exited') ? true : undefined,
    );
    return { job, plan, events: events.filter((e) => e.execution === job.id), counts: sim.counts };
  } finally {
    await h?.close().catch(() => undefined);
    await sim.stop();
  }
}

type Outcome = Awaited<ReturnType<typeof run>>;

function report(concurrency: number, { job, plan, events, counts }: Outcome) {
  const steps = job.steps as Step[];
  const hosts = (plan.hosts as { host_id: string; moves: unknown[] }[]).map((x) => x.host_id);
  const at = (iso: string) => Date.parse(iso);
  const wall = at(job.finished_at) - at(job.started_at);
  const restores = steps.filter((x) => x.name === 'Power on VM').length;
  // One host's task time, from the VMs the plan moves off it (vcsim spreads VMs unevenly, and VMs placed on a
  // host still to come move again from there).
  const planMoves = (plan.hosts as { moves: unknown[] }[]).map((x) => x.moves.length);
  const hostTask = (moves: number) => Math.ceil(moves / migrationsPerHost) * delayMs + 2 * delayMs;
  const taskTimes = planMoves.map(hostTask);
  const meanTask = sum(taskTimes) / taskTimes.length;
  const ideal = (hosts.length / concurrency) * meanTask;
  // The same tasks with zero overhead through the Map: hosts in order, each starting when one of `concurrency` slots frees.
  const slots: number[] = Array(concurrency).fill(0);
  for (const t of taskTimes) {
    const i = slots.indexOf(Math.min(...slots));
    slots[i] = slots[i]! + t;
  }
  const slotSchedule = Math.max(...slots);
  const hostOf = (e: StateEvent) => (e.input as { target_id?: unknown } | null)?.target_id;
  const perHost = hosts.map((target) => {
    const mine = events.filter((e) => hostOf(e) === target);
    const entered = mine.filter((e) => e.kind === 'entered');
    // Each entered state with the moment it was left (events come in order per iteration).
    const spans: { state: string; span: Interval }[] = [];
    const open = new Map<string, number>();
    for (const e of mine) {
      if (e.kind === 'entered') open.set(e.state, e.at);
      else if (open.has(e.state)) {
        spans.push({ state: e.state, span: [open.get(e.state)!, e.at] });
        open.delete(e.state);
      }
    }
    const span: Interval = [Math.min(...entered.map((e) => e.at)), Math.max(...mine.map((e) => e.at))];
    const tasks = steps.filter((x) => x.target_id === target && x.external_task_id && x.finished_at);
    const vsphere: Interval[] = tasks.map((x) => [at(x.started_at), at(x.finished_at!)]);
    const vsphereMs = coveredIn(vsphere, span);
    const ownByState = new Map<string, number>();
    for (const { state, span: sp } of spans) ownByState.set(state, (ownByState.get(state) ?? 0) + (sp[1] - sp[0]) - coveredIn(vsphere, sp));
    const migrations = tasks.filter((x) => x.name === 'Migrate VM');
    return {
      target,
      transitions: entered.length,
      spanMs: span[1] - span[0],
      vsphereMs,
      ownMs: span[1] - span[0] - vsphereMs,
      ownByState,
      migrations: migrations.length,
      taskOverheadMs: tasks.map((x) => (x.duration_ms ?? 0) - delayMs),
    };
  });
  const hostEvents = events.filter((e) => typeof hostOf(e) === 'string');
  const rollout = Math.max(...hostEvents.map((e) => e.at)) - Math.min(...hostEvents.map((e) => e.at));
  const allEntered = events.filter((e) => e.kind === 'entered').length;
  const own = perHost.map((x) => x.ownMs);
  const states = [...new Set(perHost.flatMap((x) => [...x.ownByState.keys()]))];
  const overhead = perHost.flatMap((x) => x.taskOverheadMs);
  const transitions = perHost.map((x) => x.transitions);

  console.log(`\n— ${hosts.length} hosts, ${concurrency} at a time (max_hosts_in_maintenance ${concurrency}) —`);
  console.log(
    `vcsim ${counts.hosts} hosts, ${counts.vms} VMs; task delay ${delayMs} ms; collector update interval ${updateIntervalMs} ms; ` +
      `migrations_per_host ${migrationsPerHost}; ` +
      `VMs powered on again ${restores}${restores ? ' (not in the ideal)' : ': no restore term'}`,
  );
  console.log(
    `VMs to move per host (plan): ${Math.min(...planMoves)}–${Math.max(...planMoves)}, ${sum(planMoves)} in all ` +
      `(${counts.vms} VMs, ${spreadVms ? `${vmsPerHost} on each host` : 'placed by vcsim'}; VMs placed on a host still to come move again)`,
  );
  console.log(
    `one host's task time = ceil(VMs to move ÷ ${migrationsPerHost}) × ${delayMs} (migrations) + ${delayMs} (enter) + ${delayMs} (exit)` +
      ` = ${s(Math.min(...taskTimes))}–${s(Math.max(...taskTimes))}, mean ${s(meanTask)}`,
  );
  console.log(
    `ideal = hosts ÷ concurrency × one host's task time (mean) = ${hosts.length} ÷ ${concurrency} × ${s(meanTask)} = ${s(ideal)}; ` +
      `the same tasks through ${concurrency} slots in the Map's order with zero overhead: ${s(slotSchedule)}`,
  );
  console.log(
    `wall time (job started_at → finished_at) ${s(wall)} = ${(wall / ideal).toFixed(3)}× the ideal (target ≤ 1.1×), ` +
      `${(wall / slotSchedule).toFixed(3)}× the slot schedule; of it the rollout (first host state entered → last host state left) ` +
      `${s(rollout)} = ${(rollout / ideal).toFixed(3)}×, before and after it (start, plan, finish) ${s(wall - rollout)}`,
  );
  console.log(
    `EIO's own time per host (host span − time ≥ 1 of its vSphere tasks ran): median ${s(median(own))}, ` +
      `max ${s(Math.max(...own))}, total ${s(sum(own))}; host span median ${s(median(perHost.map((x) => x.spanMs)))}`,
  );
  console.log(
    `  by state (median per host): ${states.map((st) => `${st} ${s(median(perHost.map((x) => x.ownByState.get(st) ?? 0)))}`).join(', ')}`,
  );
  console.log(
    `  each task step's time past the task delay (start call, collector notice, step record): median ${Math.round(median(overhead))} ms, ` +
      `max ${Math.round(Math.max(...overhead))} ms over ${overhead.length} tasks`,
  );
  const slowest = steps
    .filter((x) => x.external_task_id && x.duration_ms !== undefined)
    .sort((a, b) => b.duration_ms! - a.duration_ms!)
    .slice(0, 3);
  console.log(`  slowest task steps: ${slowest.map((x) => `${x.name} on ${x.target_id} ${s(x.duration_ms!)}`).join(', ')}`);
  console.log(
    `migrations per host: ${Math.min(...perHost.map((x) => x.migrations))}–${Math.max(...perHost.map((x) => x.migrations))} ` +
      `(${sum(perHost.map((x) => x.migrations))} in all; the plan: ${sum(planMoves)})`,
  );
  console.log(
    `state transitions per host (states entered in its Map iteration): ${Math.min(...transitions)}–${Math.max(...transitions)} ` +
      `(target ≤ 50); whole execution ${allEntered} = ${(allEntered / hosts.length).toFixed(1)} per host`,
  );
}

async function main() {
  console.log(`host maintenance benchmark — ${new Date().toISOString()}`);
  for (const c of concurrencies) report(c, await run(c));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
