/**
 * How a resume reaches the hosts of a paused host_maintenance job. Each host waits on its own blocking VMs;
 * `vm_ids` (as `blocking-vms` lists them: `vm-42`, or `vc-001/vm-42` where two instances share an id) pick
 * the hosts whose waits end. `shutdown_vms` needs a policy allowing it for the host (or its cluster); `abort`
 * ends the job (cancelled, compensated); `skip_host` names its host when several wait.
 */
import { ConflictError, ValidationError } from '../../domain/errors';
import type { BlockedVm } from '../../domain/evacuation-plan';
import type { Job, OperatorWait } from '../../domain/job';
import { POLICY_GATED_RESUME_ACTIONS } from '../../domain/maintenance';
import type { ResumeRequest, ResumeRoute } from '../../jobs/job-type';
import type { EngineDeps } from '../jobs/common';
import { assertResumeAllowed } from '../jobs/resume-policy';

type ListedVm = BlockedVm & { instance_id: string };
const blockingVmsOf = (w: OperatorWait): ListedVm[] => (w.details?.blocking_vms as ListedVm[] | undefined) ?? [];

/** `GET /api/v1/jobs/{id}/blocking-vms`: the VMs a paused job waits on, each with its host, reason and what would unblock it. */
export function listBlockingVms(job: Job) {
  return blockingVms(job).map(({ wait, vm }) => ({
    vm_id: vm.vm_id,
    instance_id: vm.instance_id,
    name: vm.name,
    host: vm.host,
    host_name: wait.details?.host_name,
    power_state: vm.power_state,
    reason: vm.reason,
    detail: vm.detail,
    suggested_actions: vm.suggested_actions,
    waiting_since: wait.since,
  }));
}

/** Every blocking VM of a paused job with the host wait it belongs to. */
export function blockingVms(job: Job): { wait: OperatorWait; vm: ListedVm }[] {
  return (job.operator_waits ?? []).flatMap((wait) => blockingVmsOf(wait).map((vm) => ({ wait, vm })));
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.length || value.some((v) => typeof v !== 'string' || !v))
    throw new ValidationError(`${field} must be a non-empty list of ids`, [{ path: `body.${field}`, message: 'a non-empty list of ids' }]);
  return value as string[];
}

export async function routeMaintenanceResume(deps: EngineDeps, job: Job, request: ResumeRequest, actor: string): Promise<ResumeRoute> {
  const waits = job.operator_waits ?? [];
  const { action } = request;
  if (action === 'abort') return { kind: 'cancel', reason: `aborted by ${actor} while the job waited on blocking VMs` };
  if (action === 'retry') return { kind: 'settle', waits: waits.map((w) => ({ key: w.key, output: { action } })) };
  if (action === 'skip_host') {
    const host = request.host_id;
    if (host === undefined && waits.length > 1)
      throw new ValidationError(`several hosts wait (${waits.map((w) => w.key).join(', ')}): name one in host_id`, [
        { path: 'body.host_id', message: 'required when several hosts wait' },
      ]);
    const wait = host === undefined ? waits[0]! : waits.find((w) => w.key === host);
    if (!wait)
      throw new ValidationError(`host '${String(host)}' is not waiting; waiting: ${waits.map((w) => w.key).join(', ')}`, [
        { path: 'body.host_id', message: 'not a waiting host' },
      ]);
    return { kind: 'settle', waits: [{ key: wait.key, output: { action } }] };
  }
  // shutdown_vms, suspend_vms: the VMs named, host by host.
  const ids = stringList(request.vm_ids, 'vm_ids');
  const listed = blockingVms(job);
  const perWait = new Map<string, string[]>();
  const problems = ids.flatMap((id, i) => {
    const hits = listed.filter(({ vm }) => vm.vm_id === id || `${vm.instance_id}/${vm.vm_id}` === id);
    const path = `body.vm_ids[${i}]`;
    if (!hits.length) return [{ path, message: `'${id}' is not a blocking VM of this job (see GET /api/v1/jobs/${job.id}/blocking-vms)` }];
    if (hits.length > 1)
      return [
        {
          path,
          message: `'${id}' blocks hosts of several vCenter instances: write ${hits.map((h) => `${h.vm.instance_id}/${id}`).join(' or ')}`,
        },
      ];
    const { wait, vm } = hits[0]!;
    perWait.set(wait.key, [...(perWait.get(wait.key) ?? []), vm.vm_id]);
    return [];
  });
  if (problems.length) throw new ValidationError(`vm_ids: ${problems.map((p) => p.message).join('; ')}`, problems);
  if (POLICY_GATED_RESUME_ACTIONS.includes(action))
    for (const key of perWait.keys()) {
      const wait = waits.find((w) => w.key === key)!;
      const cluster = wait.details?.cluster_id;
      // The host and its cluster only: a policy for another host of the same job says nothing about this one.
      await assertResumeAllowed(deps, job, [key, ...(typeof cluster === 'string' ? [cluster] : [])], action);
    }
  if (!perWait.size) throw new ConflictError('no host waits on these VMs');
  return { kind: 'settle', waits: [...perWait].map(([key, vm_ids]) => ({ key, output: { action, vm_ids } })) };
}
