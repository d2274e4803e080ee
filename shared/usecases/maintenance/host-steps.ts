/**
 * The steps of one host's maintenance, as "Maintain hosts" runs them: evacuate its VMs (EIO's migrations, or
 * DRS when entering maintenance), pause on blocking VMs or fail the host, stop VMs on the operator's word,
 * enter maintenance mode, exit it, restore and return VMs, probe the host. Every step re-reads from vCenter
 * what it decides on (the host and its cluster to plan a move; the host alone around maintenance mode), records
 * what it did in the host's ledger before it does it (so a cancel, the kill switch or a crash can undo it) and
 * returns a `state` the state machine chooses its next state by.
 */
import type { BlockedVm, HostPlan, VmMove } from '../../domain/evacuation-plan';
import { stopActions } from '../../domain/evacuation-reasons';
import { type HostMaintenanceParams, MAINTENANCE_RESUME_ACTIONS, type MaintenanceHost, type StoppedVm } from '../../domain/maintenance';
import type { StepContext } from '../../jobs/job-type';
import { isoNow, sleepOn } from '../../ports/clock';
import { VSphereFault } from '../../ports/vcenter';
import { maintenanceHosts } from '../../records/maintenance-hosts';
import { planEvacuation } from '../evacuation-plan';
import { activeJob } from '../jobs/step-context';
import { changeLedger, ledgerOf } from './ledger';
import { type HostGroup, hostGroups, instanceClient, readLive } from './scope';
import { recordStep, runningTaskSteps, runTaskSteps, type TaskEnv } from './task-steps';

/** How long one step invocation works before it hands over to the next (the step function may run 300 s). */
export const STEP_BUDGET_MS = 180_000;
/** Rounds of "plan, migrate, look again" in one evacuation step (VMs may arrive while others leave). */
const EVACUATION_ROUNDS = 3;
const SHUTDOWN_POLL_MS = 2_000;

export type HostState = 'working' | 'evacuated' | 'blocked' | 'entered' | 'exited' | 'stopped' | 'restored' | 'done' | 'skipped' | 'failed';
export type HostStepResult = { target_id: string; state: HostState } & Record<string, unknown>;

type HostCtx = { env: TaskEnv; ledger: MaintenanceHost; params: HostMaintenanceParams; group: HostGroup };

async function hostCtx(ctx: StepContext, targetId: string, params: HostMaintenanceParams): Promise<HostCtx> {
  const { deps, job } = ctx;
  const ledger = await ledgerOf(deps, job, targetId);
  const group = (await hostGroups(deps, [targetId]))[0]!;
  const vc = await instanceClient(deps, ledger.instance_id);
  const env: TaskEnv = {
    deps,
    job,
    vc,
    targetId,
    deadline: deps.clock.now() + STEP_BUDGET_MS,
    async mayAct() {
      await ctx.assertKillSwitchOff();
      await activeJob(deps, job.id);
    },
  };
  return { env, ledger, params, group };
}

/** Phases of a host on its way into maintenance mode: it takes no VMs. */
const LEAVING = new Set(['evacuating', 'blocked', 'entering_maintenance']);

/** The host's plan from what vCenter says now, and the VMs on it. */
async function planNow(
  h: HostCtx,
): Promise<{ plan: HostPlan; inMaintenance: boolean; vmsOnHost: { id: string; name: string; power: string }[] }> {
  const { env, ledger, params, group } = h;
  const live = await readLive(env.vc, env.deps, group);
  const host = live.hosts.find((x) => x.moref === ledger.moref);
  // Hosts of the job being evacuated at the same time are in the same step: no VM of this host goes there.
  // Those still to come are in later steps: the planner sends VMs there last, as each would move them again.
  const peers = (await maintenanceHosts.ofJob(env.deps.store, env.job.id)).filter(
    (l) => l.id !== ledger.id && l.instance_id === ledger.instance_id && l.cluster_id === ledger.cluster_id,
  );
  const alongside = peers.filter((l) => LEAVING.has(l.phase)).map((l) => l.moref);
  const later = ledger.cluster_id ? peers.filter((l) => l.phase === 'waiting').map((l) => l.moref) : [];
  const hostIds = [ledger.moref, ...alongside];
  const plan = await planEvacuation(
    env.deps,
    {
      instance_id: ledger.instance_id,
      host_ids: [...hostIds, ...later],
      options: {
        evacuation: params.evacuation,
        powered_off_vms: params.powered_off_vms,
        max_hosts_in_maintenance: hostIds.length,
        exit_maintenance: params.exit_maintenance,
      },
    },
    live,
  );
  const vmsOnHost = live.vms
    .filter((v) => v.data.host === ledger.moref)
    .map((v) => ({ id: v.moref, name: v.name, power: String(v.data.power_state ?? 'poweredOff') }));
  const mine = plan.hosts.find((p) => p.host_id === ledger.moref)!;
  return { plan: mine, inMaintenance: host?.data.in_maintenance_mode === true, vmsOnHost };
}

/** What vCenter says now about this host alone (no plan): in maintenance mode or not, and the VMs on it. */
async function hostNow(h: HostCtx): Promise<{ inMaintenance: boolean; vmsOnHost: { id: string; name: string; power: string }[] }> {
  const { env, ledger } = h;
  const objects = await env.vc.readHostsWithVms([ledger.moref]);
  const host = objects.find((o) => o.kind === 'host');
  const vmsOnHost = objects
    .filter((o) => o.kind === 'vm' && o.data.host === ledger.moref)
    .map((v) => ({ id: v.moref, name: v.name, power: String(v.data.power_state ?? 'poweredOff') }));
  return { inMaintenance: host?.data.in_maintenance_mode === true, vmsOnHost };
}

const refusedVm = (vm: { vm_id: string; name: string; power_state: BlockedVm['power_state'] }, host: string, fault: string): BlockedVm => ({
  ...vm,
  host,
  reason: 'migration_refused',
  detail: `vCenter refused to migrate ${vm.name}: ${fault}`,
  suggested_actions: stopActions({ name: vm.name, suspendable: true }),
});

/** What the operator sees while a host waits on its blocking VMs. */
function blockedState(h: HostCtx, blocked: BlockedVm[], hostsInJob: number): HostStepResult {
  const { ledger, params } = h;
  const shown = blocked.map((b) => ({ ...b, host: ledger.target_id, instance_id: ledger.instance_id }));
  const actions = MAINTENANCE_RESUME_ACTIONS.filter((a) => a !== 'skip_host' || hostsInJob > 1);
  return {
    target_id: ledger.target_id,
    state: 'blocked',
    message:
      `${blocked.length} VM(s) cannot leave host ${ledger.name} (${ledger.target_id}): ` +
      blocked.map((b) => `${b.name} (${b.reason})`).join(', '),
    valid_actions: [...actions],
    details: { host_id: ledger.target_id, host_name: ledger.name, cluster_id: ledger.cluster_id, blocking_vms: shown },
    timeout_minutes: params.pause_timeout_minutes,
  };
}

async function hostsInJob(ctx: StepContext): Promise<number> {
  return (await hostGroups(ctx.deps, ctx.job.target_ids)).reduce((n, g) => n + g.hosts.length, 0);
}

const PAST_EVACUATION = new Set(['entering_maintenance', 'in_maintenance', 'exiting_maintenance', 'restoring']);

/** "Evacuate VMs": moves every VM that can move (migrate), or checks that DRS will be able to (drs). */
export async function evacuateHost(ctx: StepContext, targetId: string, params: HostMaintenanceParams): Promise<HostStepResult> {
  const h = await hostCtx(ctx, targetId, params);
  const { env, ledger } = h;
  if (ledger.phase === 'done' || ledger.phase === 'skipped' || ledger.phase === 'failed')
    return { target_id: targetId, state: ledger.phase };
  if (PAST_EVACUATION.has(ledger.phase)) return { target_id: targetId, state: 'evacuated' };
  await env.mayAct();
  await changeLedger(env.deps, ledger, () => ({ phase: 'evacuating', blocked: [] }));
  const refused = new Map<string, string>();
  const replanned = new Set<string>();
  // The host's migrations start in parallel: their ledger writes go one at a time, or they race on its version.
  let ledgerWrites: Promise<unknown> = Promise.resolve();
  const noteMove = (m: VmMove) => {
    const write = ledgerWrites.then(() =>
      changeLedger(env.deps, ledger, (l) => ({
        moved: [...l.moved.filter((x) => x.vm_id !== m.vm_id), { vm_id: m.vm_id, name: m.name, from: l.moref, to: m.destination }],
      })),
    );
    ledgerWrites = write.catch(() => undefined);
    return write;
  };
  let plan: HostPlan | undefined;
  // Plan, migrate, look again: until nothing is left to move (VMs vCenter refused to move are not retried here).
  for (let round = 0; round < EVACUATION_ROUNDS; round++) {
    plan = (await planNow(h)).plan;
    const moves = params.evacuation === 'migrate' ? plan.moves.filter((m) => !refused.has(m.vm_id)) : [];
    const earlier = round === 0 ? await runningTaskSteps(env) : [];
    if (!moves.length && !earlier.length) break;
    plan = undefined;
    const { outcomes, unfinished } = await runTaskSteps(
      env,
      moves.map((m) => ({
        name: 'Migrate VM',
        subject: m.vm_id,
        subject_name: m.name,
        start: async () => {
          await noteMove(m);
          return env.vc.relocateVm(m.vm_id, { host: m.destination });
        },
      })),
      params.migrations_per_host,
    );
    const failed = outcomes.filter((o) => !o.ok);
    for (const o of failed) {
      // The destination stopped taking VMs while the move ran (it began entering maintenance): the next round
      // plans the VM again, once; any other refusal is the VM's.
      if (o.fault?.fault_type === 'InvalidHostState' && !replanned.has(o.subject)) replanned.add(o.subject);
      else refused.set(o.subject, `${o.fault?.fault_type}: ${o.fault?.message}`);
    }
    const notMoved = new Set(failed.map((o) => o.subject));
    if (failed.length) await changeLedger(env.deps, ledger, (l) => ({ moved: l.moved.filter((x) => !notMoved.has(x.vm_id)) }));
    if (unfinished) return { target_id: targetId, state: 'working' };
  }
  plan ??= (await planNow(h)).plan;
  // VMs that arrived while others left: another round (the state machine calls again).
  if (params.evacuation === 'migrate' && plan.moves.some((m) => !refused.has(m.vm_id))) return { target_id: targetId, state: 'working' };
  const blocked = [
    ...plan.blocked,
    ...plan.moves.filter((m) => refused.has(m.vm_id)).map((m) => refusedVm(m, ledger.moref, refused.get(m.vm_id)!)),
  ];
  if (!blocked.length) return { target_id: targetId, state: 'evacuated' };
  return blockedOutcome(ctx, h, blocked);
}

async function blockedOutcome(ctx: StepContext, h: HostCtx, blocked: BlockedVm[]): Promise<HostStepResult> {
  const { env, ledger, params } = h;
  const names = blocked.map((b) => `${b.name} (${b.reason}: ${b.detail})`).join('; ');
  if (params.on_blocked === 'fail') {
    await changeLedger(env.deps, ledger, () => ({ phase: 'failed', blocked, error: `blocking VMs (on_blocked: fail): ${names}` }));
    return { target_id: ledger.target_id, state: 'failed' };
  }
  await changeLedger(env.deps, ledger, () => ({ phase: 'blocked', blocked }));
  return blockedState(h, blocked, await hostsInJob(ctx));
}

/** "Enter maintenance mode": EnterMaintenanceMode_Task; under DRS, vCenter moves the VMs, and EIO checks it did. */
export async function enterMaintenance(ctx: StepContext, targetId: string, params: HostMaintenanceParams): Promise<HostStepResult> {
  const h = await hostCtx(ctx, targetId, params);
  const { env, ledger } = h;
  if (ledger.phase === 'in_maintenance' || ledger.phase === 'exiting_maintenance' || ledger.phase === 'restoring')
    return { target_id: targetId, state: 'entered', exit_maintenance: params.exit_maintenance };
  const before = await hostNow(h);
  if (before.inMaintenance && ledger.phase !== 'entering_maintenance') {
    // Already in maintenance (it was before the job): nothing to enter, and nothing for EIO to exit later.
    await changeLedger(env.deps, ledger, () => ({ phase: 'in_maintenance' }));
    return { target_id: targetId, state: 'entered', exit_maintenance: params.exit_maintenance };
  }
  await env.mayAct();
  // Recorded before the call: from here on, a cancel or a crash makes sure the host leaves maintenance again.
  await changeLedger(env.deps, ledger, () => ({ phase: 'entering_maintenance', entered_maintenance: true }));
  const { outcomes, unfinished } = await runTaskSteps(
    env,
    [
      {
        name: 'Enter maintenance mode',
        subject: ledger.moref,
        subject_name: ledger.name,
        start: () =>
          env.vc.enterMaintenanceMode(ledger.moref, {
            timeoutSeconds: params.maintenance_timeout_minutes * 60,
            evacuatePoweredOffVms: params.powered_off_vms === 'move',
          }),
      },
    ],
    1,
  );
  if (unfinished) return { target_id: targetId, state: 'working' };
  const outcome = outcomes[0];
  const after = await hostNow(h);
  if (outcome && !outcome.ok && !after.inMaintenance) {
    await changeLedger(env.deps, ledger, () => ({ phase: 'evacuating', entered_maintenance: false }));
    const { plan } = await planNow(h);
    const blocked = plan.blocked.length
      ? plan.blocked
      : after.vmsOnHost
          .filter((v) => v.power === 'poweredOn')
          .map((v) =>
            refusedVm(
              { vm_id: v.id, name: v.name, power_state: 'poweredOn' },
              ledger.moref,
              `${outcome.fault?.fault_type}: ${outcome.fault?.message}`,
            ),
          );
    if (blocked.length) return blockedOutcome(ctx, h, blocked);
    throw new Error(`EnterMaintenanceMode on ${ledger.name} failed: ${outcome.fault?.fault_type}: ${outcome.fault?.message}`);
  }
  // DRS evacuated it: verified from vCenter, not taken on trust.
  const stillOn = after.vmsOnHost.filter((v) => v.power === 'poweredOn');
  if (stillOn.length)
    throw new Error(`${ledger.name} is in maintenance mode with powered-on VMs: ${stillOn.map((v) => v.name).join(', ')}`);
  const gone = before.vmsOnHost.filter((v) => !after.vmsOnHost.some((a) => a.id === v.id));
  await changeLedger(env.deps, ledger, (l) => ({
    phase: 'in_maintenance',
    maintenance_entered_at: l.maintenance_entered_at ?? isoNow(env.deps.clock),
    blocked: [],
    moved: [
      ...l.moved,
      ...gone.filter((v) => !l.moved.some((m) => m.vm_id === v.id)).map((v) => ({ vm_id: v.id, name: v.name, from: l.moref, to: 'drs' })),
    ],
  }));
  return { target_id: targetId, state: 'entered', exit_maintenance: params.exit_maintenance };
}

/** "Exit maintenance mode": only a host EIO put into maintenance. */
export async function exitMaintenance(ctx: StepContext, targetId: string, params: HostMaintenanceParams): Promise<HostStepResult> {
  const h = await hostCtx(ctx, targetId, params);
  const { env, ledger } = h;
  if (!ledger.entered_maintenance) return { target_id: targetId, state: 'exited' };
  await env.mayAct();
  await changeLedger(env.deps, ledger, () => ({ phase: 'exiting_maintenance' }));
  const { outcomes, unfinished } = await runTaskSteps(
    env,
    [
      {
        name: 'Exit maintenance mode',
        subject: ledger.moref,
        subject_name: ledger.name,
        start: () => env.vc.exitMaintenanceMode(ledger.moref),
      },
    ],
    1,
  );
  if (unfinished) return { target_id: targetId, state: 'working' };
  const failed = outcomes.find((o) => !o.ok);
  // A second exit after a crash (the first one went through unrecorded) fails on a host already out: that is done.
  if (failed && (await planNow(h)).inMaintenance)
    throw new Error(`ExitMaintenanceMode on ${ledger.name} failed: ${failed.fault?.fault_type}: ${failed.fault?.message}`);
  await changeLedger(env.deps, ledger, () => ({ phase: 'restoring', entered_maintenance: false }));
  return { target_id: targetId, state: 'exited' };
}

/** The tasks that bring back what EIO stopped (power on resumes a suspended VM) and return what it moved. */
export function restoreSpecs(env: TaskEnv, ledger: MaintenanceHost, params: Pick<HostMaintenanceParams, 'restore_vms' | 'return_vms'>) {
  const specs = [];
  if (params.restore_vms)
    for (const s of ledger.stopped.filter((x) => !x.restored))
      specs.push({
        name: 'Power on VM',
        subject: s.vm_id,
        subject_name: s.name,
        start: () => env.vc.powerOnVm(s.vm_id, { host: ledger.moref }),
      });
  if (params.return_vms)
    for (const m of ledger.moved.filter((x) => !x.returned))
      specs.push({
        name: 'Return VM',
        subject: m.vm_id,
        subject_name: m.name,
        start: () => env.vc.relocateVm(m.vm_id, { host: ledger.moref }),
      });
  return specs;
}

/** Marks in the ledger what the restore tasks did, and notes what they could not do. */
export async function recordRestore(
  env: TaskEnv,
  ledger: MaintenanceHost,
  outcomes: { subject: string; ok: boolean; fault?: { message: string } }[],
) {
  const ok = new Set(outcomes.filter((o) => o.ok).map((o) => o.subject));
  const failures = outcomes.filter((o) => !o.ok).map((o) => `${o.subject}: ${o.fault?.message ?? 'failed'}`);
  return changeLedger(env.deps, ledger, (l) => ({
    stopped: l.stopped.map((s) => (ok.has(s.vm_id) ? { ...s, restored: true } : s)),
    moved: l.moved.map((m) => (ok.has(m.vm_id) && l.stopped.every((s) => s.vm_id !== m.vm_id) ? { ...m, returned: true } : m)),
    notes: failures.length ? [...l.notes, `could not restore or return: ${failures.join('; ')}`] : l.notes,
  }));
}

/** "Restore VMs": power on / resume what EIO stopped (restore_vms), move evacuated VMs back (return_vms). */
export async function restoreVms(ctx: StepContext, targetId: string, params: HostMaintenanceParams): Promise<HostStepResult> {
  const h = await hostCtx(ctx, targetId, params);
  const { env, ledger } = h;
  await env.mayAct();
  const { outcomes, unfinished } = await runTaskSteps(env, restoreSpecs(env, ledger, params), params.migrations_per_host);
  const after = await recordRestore(env, ledger, outcomes);
  if (unfinished) return { target_id: targetId, state: 'working' };
  const left = after.stopped.filter((s) => !s.restored);
  if (left.length && !params.restore_vms)
    await changeLedger(env.deps, ledger, (l) => ({
      notes: [...l.notes, `left stopped as asked (restore_vms: false): ${left.map((s) => s.name).join(', ')}`],
    }));
  return { target_id: targetId, state: 'restored' };
}

/** "Probe host": connected, and out of maintenance unless asked to stay; the host's outcome for "Finish job". */
export async function probeHost(
  ctx: StepContext,
  targetId: string,
  params: HostMaintenanceParams,
): Promise<{ target_id: string; ok: boolean }> {
  const h = await hostCtx(ctx, targetId, params);
  const { env, ledger } = h;
  const host = (await env.vc.readHostsWithVms([ledger.moref])).find((o) => o.kind === 'host');
  const connected = host?.data.connection_state === 'connected';
  const inMaintenance = host?.data.in_maintenance_mode === true;
  const shouldBeIn = ledger.phase !== 'skipped' && (!params.exit_maintenance || ledger.was_in_maintenance);
  const problems = [
    ...(connected ? [] : [`host ${ledger.name} is ${String(host?.data.connection_state ?? 'gone from vCenter')}`]),
    ...(inMaintenance === shouldBeIn ? [] : [`host ${ledger.name} is ${inMaintenance ? '' : 'not '}in maintenance mode`]),
  ];
  await recordStep(env, 'Probe host', { connected, in_maintenance: inMaintenance }, problems.join('; ') || undefined);
  const notes =
    !params.exit_maintenance && ledger.phase !== 'skipped' ? ['left in maintenance mode as asked (exit_maintenance: false)'] : [];
  await changeLedger(env.deps, ledger, (l) => ({
    phase: l.phase === 'skipped' ? 'skipped' : problems.length ? 'failed' : 'done',
    error: problems.length ? problems.join('; ') : l.error,
    notes: [...l.notes, ...notes],
  }));
  return { target_id: targetId, ok: problems.length === 0 };
}

/** "Shut down VMs" / "Suspend VMs": the operator's resume; guest shutdown falls back to power-off past its timeout. */
export async function stopVms(
  ctx: StepContext,
  targetId: string,
  params: HostMaintenanceParams,
  mode: 'shutdown' | 'suspend',
  vmIds: string[],
): Promise<HostStepResult> {
  const h = await hostCtx(ctx, targetId, params);
  const { env, ledger } = h;
  const { vmsOnHost } = await planNow(h);
  const targets = vmsOnHost.filter((v) => vmIds.includes(v.id) && v.power === 'poweredOn');
  const note = (vms: typeof targets, how: StoppedVm['how']) =>
    changeLedger(env.deps, ledger, (l) => ({
      stopped: [
        ...l.stopped.filter((s) => !vms.some((v) => v.id === s.vm_id)),
        ...vms.map((v) => ({ vm_id: v.id, name: v.name, how, was: 'poweredOn' as const })),
      ],
    }));
  if (mode === 'suspend') {
    await note(targets, 'suspend');
    const { unfinished } = await runTaskSteps(
      env,
      targets.map((v) => ({ name: 'Suspend VM', subject: v.id, subject_name: v.name, start: () => env.vc.suspendVm(v.id) })),
      params.migrations_per_host,
    );
    return { target_id: targetId, state: unfinished ? 'working' : 'stopped' };
  }
  await note(targets, 'shutdown');
  const forced: typeof targets = [];
  for (const v of targets) {
    await env.mayAct();
    try {
      await env.vc.shutdownGuest(v.id);
      await recordStep(env, 'Shut down VM', { subject: v.id, subject_name: v.name, how: 'guest shutdown' });
    } catch (e) {
      // No VMware Tools in the guest (or it refused): a hard power-off is what is left.
      if (!(e instanceof VSphereFault)) throw e;
      forced.push(v);
    }
  }
  const until = Math.min(env.deadline, env.deps.clock.now() + params.shutdown_timeout_seconds * 1000);
  let running = targets.filter((v) => !forced.includes(v));
  while (running.length && env.deps.clock.now() < until) {
    await sleepOn(env.deps.clock, SHUTDOWN_POLL_MS);
    const now = (await planNow(h)).vmsOnHost;
    running = running.filter((v) => now.some((n) => n.id === v.id && n.power === 'poweredOn'));
  }
  const powerOff = [...forced, ...running];
  if (powerOff.length) {
    await note(powerOff, 'power_off');
    const { unfinished } = await runTaskSteps(
      env,
      powerOff.map((v) => ({ name: 'Power off VM', subject: v.id, subject_name: v.name, start: () => env.vc.powerOffVm(v.id) })),
      params.migrations_per_host,
    );
    if (unfinished) return { target_id: targetId, state: 'working' };
  }
  return { target_id: targetId, state: 'stopped' };
}

/** "Skip host": the operator leaves this host out of the rolling maintenance. */
export async function skipHost(ctx: StepContext, targetId: string, actor: string): Promise<HostStepResult> {
  const ledger = await ledgerOf(ctx.deps, ctx.job, targetId);
  await changeLedger(ctx.deps, ledger, (l) => ({
    phase: 'skipped',
    notes: [...l.notes, `skipped by ${actor}; blocking VMs were: ${l.blocked.map((b) => b.name).join(', ') || 'none'}`],
  }));
  return { target_id: targetId, state: 'skipped' };
}

/** "Record host failure": the host's error goes on its ledger; the job goes on with the others. */
export async function hostFailed(
  ctx: StepContext,
  targetId: string,
  error: { Error?: string; Cause?: string },
): Promise<{ target_id: string; ok: false }> {
  const ledger = await ledgerOf(ctx.deps, ctx.job, targetId);
  let cause = error.Cause ?? '';
  try {
    cause = (JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause;
  } catch {
    // not JSON: keep it as it is
  }
  await changeLedger(ctx.deps, ledger, (l) => ({
    phase: l.phase === 'done' || l.phase === 'skipped' ? l.phase : 'failed',
    error: l.error ?? `${error.Error ?? 'Error'}: ${cause || 'no details'}`,
  }));
  return { target_id: targetId, ok: false };
}
