/**
 * "Evacuate VMs": EIO's migrations (or, under DRS, the check that DRS will be able to move them), then the
 * blocking VMs: the host pauses for an operator or fails (`on_blocked`).
 */
import type { BlockedVm, HostPlan, VmMove } from '../../domain/evacuation-plan';
import { stopActions } from '../../domain/evacuation-reasons';
import { type HostMaintenanceParams, MAINTENANCE_RESUME_ACTIONS } from '../../domain/maintenance';
import type { StepContext } from '../../jobs/job-type';
import { isoNow } from '../../ports/clock';
import { type HostCtx, type HostStepResult, hostCtx, hostNow, planNow } from './host-context';
import { changeLedger } from './ledger';
import { hostGroups } from './scope';
import { runningTaskSteps, runTaskSteps } from './task-steps';

/** Rounds of "plan, migrate, look again" in one evacuation step (VMs may arrive while others leave). */
const EVACUATION_ROUNDS = 3;

export const refusedVm = (
  vm: { vm_id: string; name: string; power_state: BlockedVm['power_state'] },
  host: string,
  fault: string,
): BlockedVm => ({
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
  // The host's own phase is no input to its plan (only its peers' are): both at once.
  const [began, first] = await Promise.all([
    changeLedger(env.deps, ledger, (l) => ({ phase: 'evacuating', blocked: [], work_began_at: l.work_began_at ?? isoNow(env.deps.clock) })),
    planNow(h),
  ]);
  env.since = Date.parse(began.work_began_at!);
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
    // After a round, the host alone says whether anything is left on it; the cluster is read and planned only then.
    if (round > 0 && !(await hostNow(h)).vmsOnHost.length) return { target_id: targetId, state: 'evacuated' };
    plan = round === 0 ? first.plan : (await planNow(h)).plan;
    const moves = params.evacuation === 'migrate' ? plan.moves.filter((m) => !refused.has(m.vm_id)) : [];
    // A host still waiting began no migration: nothing of its can be running yet, so the steps need no read.
    const earlier = round === 0 ? (ledger.phase === 'waiting' ? [] : await runningTaskSteps(env)) : undefined;
    if (!moves.length && !earlier?.length) break;
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
      earlier,
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

export async function blockedOutcome(ctx: StepContext, h: HostCtx, blocked: BlockedVm[]): Promise<HostStepResult> {
  const { env, ledger, params } = h;
  const names = blocked.map((b) => `${b.name} (${b.reason}: ${b.detail})`).join('; ');
  if (params.on_blocked === 'fail') {
    await changeLedger(env.deps, ledger, () => ({ phase: 'failed', blocked, error: `blocking VMs (on_blocked: fail): ${names}` }));
    return { target_id: ledger.target_id, state: 'failed' };
  }
  await changeLedger(env.deps, ledger, () => ({ phase: 'blocked', blocked }));
  return blockedState(h, blocked, await hostsInJob(ctx));
}
