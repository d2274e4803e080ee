/**
 * A power_action job's work on one target: an iDRAC endpoint, or a vCenter host reached through the iDRAC
 * it is linked to (never a guessed one). Taking a running ESXi host down is host maintenance's job: a host
 * vCenter shows out of maintenance mode with powered-on VMs is refused, unless the job says
 * `allow_running_vms`. The target and its iDRAC are locked for the job, as maintenance locks its hosts.
 */
import { ConflictError } from '../../domain/errors';
import { POWER_ACTIONS, type PowerActionParams } from '../../domain/firmware';
import { parseInventoryTarget } from '../../domain/vcenter';
import type { StepContext, TargetWork } from '../../jobs/job-type';
import { IdracError } from '../../ports/idrac';
import { hostsOfEndpoint, idracOfHost } from '../host-idrac-links';
import { lockHosts } from '../jobs/host-locks';
import { instanceClient } from '../maintenance/scope';
import { endpointAccess } from './endpoint-access';

/** The iDRAC behind a target and the vCenter host it is, if any; or why there is none to act on. */
async function resolve(ctx: StepContext, targetId: string): Promise<{ endpointId: string; hostId?: string } | { problem: string }> {
  if (!parseInventoryTarget(targetId)) {
    const hosts = await hostsOfEndpoint(ctx.deps, targetId);
    if (hosts.length > 1 || hosts.some((h) => h.status !== 'linked'))
      return { problem: `iDRAC '${targetId}' is a candidate of several vCenter hosts (${hosts.map((h) => h.host_id).join(', ')})` };
    return { endpointId: targetId, hostId: hosts[0]?.host_id };
  }
  const link = await idracOfHost(ctx.deps, targetId);
  if (link.status === 'linked') return { endpointId: link.endpoint_id, hostId: targetId };
  return {
    problem:
      link.status === 'none'
        ? `no iDRAC endpoint is linked to host '${targetId}'`
        : `host '${targetId}' matches several iDRAC endpoints: ${link.candidates.map((c) => c.endpoint_id).join(', ')}`,
  };
}

/** Why taking this host down now would hurt running VMs, if it would. */
async function runningVmsProblem(ctx: StepContext, hostId: string): Promise<string | undefined> {
  const t = parseInventoryTarget(hostId)!;
  const vc = await instanceClient(ctx.deps, t.instance_id);
  const objects = await vc.readHostsWithVms([t.moref]);
  const host = objects.find((o) => o.kind === 'host');
  const running = objects.filter((o) => o.kind === 'vm' && o.data.host === t.moref && o.data.power_state === 'poweredOn');
  if (host?.data.in_maintenance_mode === true || !running.length) return undefined;
  return (
    `host '${hostId}' is not in maintenance mode and runs ${running.length} powered-on VM(s) (${running.map((v) => v.name).join(', ')}): ` +
    'run host_maintenance with exit_maintenance: false first, or set allow_running_vms'
  );
}

export async function powerTarget(ctx: StepContext, targetId: string, params: PowerActionParams): Promise<TargetWork> {
  const resetType = POWER_ACTIONS[params.action];
  const found = await resolve(ctx, targetId);
  if ('problem' in found) return { ok: false, error: found.problem };
  try {
    await lockHosts(ctx.deps, ctx.job, [...new Set([targetId, found.endpointId, ...(found.hostId ? [found.hostId] : [])])]);
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    return { ok: false, error: e.message };
  }
  if (found.hostId && params.action !== 'on' && !params.allow_running_vms) {
    const problem = await runningVmsProblem(ctx, found.hostId);
    if (problem) return { ok: false, error: problem };
  }
  const access = await endpointAccess(ctx.deps, found.endpointId, `power action ${params.action} (job ${ctx.job.id})`);
  await ctx.assertKillSwitchOff();
  try {
    const outcome = await ctx.deps.idrac.powerReset(access.target, access.credential, resetType);
    return {
      ok: true,
      record: { endpoint_id: found.endpointId, host_id: found.hostId ?? null, reset_type: resetType, outcome: outcome.outcome },
    };
  } catch (e) {
    if (!(e instanceof IdracError)) throw e;
    return { ok: false, error: `${resetType} on ${found.endpointId}: ${e.message}`, record: { endpoint_id: found.endpointId } };
  }
}
