/**
 * The host_maintenance job type: puts ESXi hosts into maintenance mode and back without losing a VM. Targets
 * are hosts and clusters (`vc-001/host-21`, `vc-001/domain-c7`: the target_id of their inventory records); a
 * cluster means all its hosts, rolling, `max_hosts_in_maintenance` at a time. The first step plans the
 * evacuation from what vCenter says then (an approval binds to the plan's hash); each host is then evacuated,
 * put into maintenance, brought out and restored (shared/usecases/maintenance/). VMs that cannot move pause
 * the host until an operator resumes it (or fail it: `on_blocked`). Whatever way the job ends, what EIO did to
 * a host is undone or reported (compensate).
 */
import { z } from 'zod';
import { HostMaintenanceParams, hostResult, MAINTENANCE_RESUME_ACTIONS, maintenanceParamsOf } from '../domain/maintenance';
import { maintenanceHosts } from '../records/maintenance-hosts';
import { compensateMaintenance } from '../usecases/maintenance/compensate';
import { evacuateHost } from '../usecases/maintenance/evacuate';
import { enterMaintenance, exitMaintenance } from '../usecases/maintenance/maintenance-mode';
import { hostFailed, skipHost, stopVms } from '../usecases/maintenance/operator-actions';
import { type MaintenancePlan, planMaintenance } from '../usecases/maintenance/plan';
import { type Planned, settlePlan } from '../usecases/maintenance/plan-step';
import { probeHost, restoreVms } from '../usecases/maintenance/restore';
import { routeMaintenanceResume } from '../usecases/maintenance/resume';
import { type JobType, type StepContext, stepAction } from './job-type';
import { existingTargets } from './targets';

const Host = z.object({ target_id: z.string().min(1) });
// firmware_update shares these steps: its params carry more than host maintenance's.
const paramsOf = (ctx: StepContext) => maintenanceParamsOf(ctx.job.params);

const findingsText = (plan: MaintenancePlan) => plan.findings.map((f) => `${f.code}: ${f.detail}`).join('; ');

/** The plan as the state machine needs it: refused, whether to ask for approval, and the hosts per group. */
async function planStep(ctx: StepContext, stepName: string, approvedHash?: string) {
  return ctx.jobStep(stepName, async () => {
    const params = paramsOf(ctx);
    await ctx.assertKillSwitchOff();
    const { groupsOf, ...plan } = await planMaintenance(ctx.deps, ctx.job.target_ids, params, { live: true });
    const hosts = groupsOf.flatMap((g) => g.hosts);
    const planned: Planned = {
      hash: plan.hash,
      refusal: plan.refused ? `plan refused: ${findingsText(plan)}` : undefined,
      refusedResult: { plan_hash: plan.hash, findings: plan.findings },
      record: plan,
      locks: hosts.map((h) => h.target_id),
      hosts,
      in_maintenance: plan.in_maintenance,
      groups: groupsOf.map((g) => ({
        key: g.key,
        max_hosts_in_maintenance: params.max_hosts_in_maintenance,
        hosts: g.hosts.map((h) => ({ job_id: ctx.job.id, target_id: h.target_id })),
      })),
    };
    return settlePlan(ctx, planned, approvedHash);
  });
}

export const hostMaintenanceJob: JobType = {
  name: 'host_maintenance',
  description:
    'Evacuate ESXi hosts (a cluster: all its hosts, rolling), put them into maintenance mode, bring them back and restore their VMs; ' +
    'pauses on VMs that cannot move',
  params: HostMaintenanceParams,
  resolveTargets: existingTargets(['host', 'cluster']),
  workflow: 'job-host-maintenance',
  actions: {
    /** "Plan evacuation": the plan from live vCenter data, stored as the step's result; hosts locked, ledgers opened. */
    plan_maintenance: stepAction(z.object({}), (ctx) => planStep(ctx, 'Plan evacuation')),
    /** "Check plan": after approval, the plan again; a material change asks for approval again. */
    check_plan: stepAction(z.object({ plan_hash: z.string().min(1) }), (ctx, { plan_hash }) => planStep(ctx, 'Check plan', plan_hash)),
    evacuate_host: stepAction(Host, (ctx, { target_id }) => evacuateHost(ctx, target_id, paramsOf(ctx))),
    stop_vms: stepAction(
      Host.extend({ mode: z.enum(['shutdown', 'suspend']), vm_ids: z.array(z.string().min(1)).min(1) }),
      (ctx, { target_id, mode, vm_ids }) => stopVms(ctx, target_id, paramsOf(ctx), mode, vm_ids),
    ),
    skip_host: stepAction(Host.extend({ resumed_by: z.string().default('an operator') }), (ctx, { target_id, resumed_by }) =>
      skipHost(ctx, target_id, resumed_by),
    ),
    enter_maintenance: stepAction(Host, (ctx, { target_id }) => enterMaintenance(ctx, target_id, paramsOf(ctx))),
    exit_maintenance: stepAction(Host, (ctx, { target_id }) => exitMaintenance(ctx, target_id, paramsOf(ctx))),
    restore_vms: stepAction(Host, (ctx, { target_id }) => restoreVms(ctx, target_id, paramsOf(ctx))),
    probe_host: stepAction(Host, (ctx, { target_id }) => probeHost(ctx, target_id, paramsOf(ctx))),
    host_failed: stepAction(
      Host.extend({ error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).default({}) }),
      (ctx, i) => hostFailed(ctx, i.target_id, i.error),
    ),
  },
  resumeActions: [...MAINTENANCE_RESUME_ACTIONS],
  routeResume: routeMaintenanceResume,
  async plan(deps, targetIds, params) {
    const { groupsOf: _g, ...plan } = await planMaintenance(deps, targetIds, HostMaintenanceParams.parse(params), { live: false });
    return plan;
  },
  compensate: compensateMaintenance,
  async result(deps, job) {
    return { hosts: (await maintenanceHosts.ofJob(deps.store, job.id)).map(hostResult) };
  },
  maxRuntimeMinutes: 24 * 60,
  resumableAfterCrash: true,
  retryFailedTargetsOnly: false,
};
