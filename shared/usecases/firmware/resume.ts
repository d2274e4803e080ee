/**
 * How a resume reaches a paused firmware_update job: `continue` ends the rollout pauses (the guard accepts the
 * state as it is now), `abort` ends the job, and what host maintenance accepts (shutdown_vms, suspend_vms,
 * retry, skip_host) goes to the hosts that wait on blocking VMs, as in a host_maintenance job.
 */
import { ConflictError } from '../../domain/errors';
import type { Job } from '../../domain/job';
import type { ResumeRequest, ResumeRoute } from '../../jobs/job-type';
import type { EngineDeps } from '../jobs/common';
import { routeMaintenanceResume } from '../maintenance/resume';
import { isRolloutWait } from './rollout-guard';

export async function routeFirmwareResume(deps: EngineDeps, job: Job, request: ResumeRequest, actor: string): Promise<ResumeRoute> {
  const waits = job.operator_waits ?? [];
  if (request.action === 'abort') return { kind: 'cancel', reason: `aborted by ${actor} while the firmware rollout was paused` };
  if (request.action === 'continue') {
    const paused = waits.filter((w) => isRolloutWait(w.key));
    if (!paused.length) throw new ConflictError('the rollout is not paused; hosts wait on blocking VMs instead');
    return { kind: 'settle', waits: paused.map((w) => ({ key: w.key, output: { action: 'continue' } })) };
  }
  return routeMaintenanceResume(deps, { ...job, operator_waits: waits.filter((w) => !isRolloutWait(w.key)) }, request, actor);
}
