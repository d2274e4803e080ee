/**
 * What every step of one host's maintenance starts from: the host's ledger, its cluster, the instance's
 * client, the step's deadline and the kill-switch check; and what vCenter says now (the host's plan, or the
 * host alone). Each step returns a `state` the state machine chooses its next state by.
 */
import type { HostPlan } from '../../domain/evacuation-plan';
import type { HostMaintenanceParams, MaintenanceHost } from '../../domain/maintenance';
import { parseInventoryTarget } from '../../domain/vcenter';
import type { StepContext } from '../../jobs/job-type';
import { maintenanceHosts } from '../../records/maintenance-hosts';
import { planEvacuation } from '../evacuation-plan';
import { activeJob } from '../jobs/step-context';
import { ledgerOf } from './ledger';
import { hostGroups, instanceClient, readLive } from './scope';
import type { TaskEnv } from './task-steps';

/** How long one step invocation works before it hands over to the next (the step function may run 300 s). */
export const STEP_BUDGET_MS = 180_000;

export type HostState = 'working' | 'evacuated' | 'blocked' | 'entered' | 'exited' | 'stopped' | 'restored' | 'done' | 'skipped' | 'failed';
export type HostStepResult = { target_id: string; state: HostState } & Record<string, unknown>;

export type HostCtx = { env: TaskEnv; ledger: MaintenanceHost; params: HostMaintenanceParams };

export async function hostCtx(ctx: StepContext, targetId: string, params: HostMaintenanceParams): Promise<HostCtx> {
  const { deps, job } = ctx;
  // A host's id names its instance (`vc-001/host-21`): the instance's client is opened while the ledger is read.
  const instanceId = parseInventoryTarget(targetId)?.instance_id;
  const client = instanceId ? instanceClient(deps, instanceId) : undefined;
  client?.catch(() => undefined); // awaited below, or not needed: the ledger's failure is the step's
  const ledger = await ledgerOf(deps, job, targetId);
  const vc = client && instanceId === ledger.instance_id ? await client : await instanceClient(deps, ledger.instance_id);
  const env: TaskEnv = {
    deps,
    job,
    vc,
    targetId,
    deadline: deps.clock.now() + STEP_BUDGET_MS,
    ...(ledger.work_began_at ? { since: Date.parse(ledger.work_began_at) } : {}),
    mayAct: () => mayAct(ctx),
  };
  return { env, ledger, params };
}

/**
 * The check before a side effect: the kill switch is off and the job still active. Both are read at once; the
 * kill switch's refusal wins when both refuse, as when they were read one after the other.
 */
export async function mayAct(ctx: Pick<StepContext, 'deps' | 'job' | 'assertKillSwitchOff'>): Promise<void> {
  const [killSwitch, job] = await Promise.allSettled([ctx.assertKillSwitchOff(), activeJob(ctx.deps, ctx.job.id)]);
  if (killSwitch.status === 'rejected') throw killSwitch.reason;
  if (job.status === 'rejected') throw job.reason;
}

/** Phases of a host on its way into maintenance mode: it takes no VMs. */
const LEAVING = new Set(['evacuating', 'blocked', 'entering_maintenance']);

/** The host's plan from what vCenter says now, and the VMs on it. */
export async function planNow(
  h: HostCtx,
): Promise<{ plan: HostPlan; inMaintenance: boolean; vmsOnHost: { id: string; name: string; power: string }[] }> {
  const { env, ledger, params } = h;
  const [live, jobHosts] = await Promise.all([
    hostGroups(env.deps, [ledger.target_id]).then(([group]) => readLive(env.vc, env.deps, group!)),
    maintenanceHosts.ofJob(env.deps.store, env.job.id),
  ]);
  const host = live.hosts.find((x) => x.moref === ledger.moref);
  // Hosts of the job being evacuated at the same time are in the same step: no VM of this host goes there.
  // Those still to come are in later steps: the planner sends VMs there last, as each would move them again.
  const peers = jobHosts.filter((l) => l.id !== ledger.id && l.instance_id === ledger.instance_id && l.cluster_id === ledger.cluster_id);
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
export async function hostNow(h: HostCtx): Promise<{ inMaintenance: boolean; vmsOnHost: { id: string; name: string; power: string }[] }> {
  const { env, ledger } = h;
  const objects = await env.vc.readHostsWithVms([ledger.moref]);
  const host = objects.find((o) => o.kind === 'host');
  const vmsOnHost = objects
    .filter((o) => o.kind === 'vm' && o.data.host === ledger.moref)
    .map((v) => ({ id: v.moref, name: v.name, power: String(v.data.power_state ?? 'poweredOff') }));
  return { inMaintenance: host?.data.in_maintenance_mode === true, vmsOnHost };
}
