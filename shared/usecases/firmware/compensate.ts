/**
 * Undoing what a firmware_update job left when it ended without succeeding (cancel, abort, kill switch, pause
 * timeout, a failed server, a crash): its staged updates that never applied are withdrawn (its own JIDs,
 * deleted one by one), then its hosts are taken out of maintenance and their VMs restored as host maintenance
 * does. While the kill switch is on, nothing is sent to an iDRAC or vCenter: the result lists what is left
 * staged, and the rest happens once it is deactivated.
 */
import { idracJobView } from '../../domain/firmware';
import type { Job } from '../../domain/job';
import { hostResult } from '../../domain/maintenance';
import type { CompensationOutcome } from '../../jobs/job-type';
import { firmwareTargets } from '../../records/firmware-targets';
import { idracJobs } from '../../records/idrac-jobs';
import { maintenanceHosts } from '../../records/maintenance-hosts';
import { readSwitch } from '../../records/switches';
import type { EngineDeps } from '../jobs/common';
import { compensateMaintenance } from '../maintenance/compensate';
import { releaseBaseline } from './baseline-hold';
import { withdrawStaged } from './withdraw';

/** The job's result: each host's maintenance, each server and every iDRAC job EIO created, with what is still staged. */
export async function firmwareResult(deps: Pick<EngineDeps, 'store'>, job: Pick<Job, 'id'>) {
  const [targets, entries, hosts] = await Promise.all([
    firmwareTargets.ofJob(deps.store, job.id),
    idracJobs.ofJob(deps.store, job.id),
    maintenanceHosts.ofJob(deps.store, job.id),
  ]);
  const leftovers = entries.filter((e) => e.state === 'scheduled' || e.state === 'requested' || e.state === 'left_staged');
  return {
    hosts: hosts.map(hostResult),
    servers: targets.map((t) => ({
      target_id: t.target_id,
      kind: t.kind,
      endpoint_id: t.endpoint_id,
      phase: t.phase,
      notes: t.notes,
      ...(t.error ? { error: t.error } : {}),
    })),
    idrac_jobs: entries.map(idracJobView),
    staged_leftovers: leftovers.map(idracJobView),
  };
}

export async function compensateFirmware(deps: EngineDeps, job: Job): Promise<CompensationOutcome> {
  const hasHosts = (await firmwareTargets.ofJob(deps.store, job.id)).some((t) => t.kind === 'host');
  const ks = await readSwitch(deps.store, 'kill-switch');
  const left = ks.on ? [] : await withdrawStaged(deps, job);
  const maintenance: CompensationOutcome = hasHosts ? await compensateMaintenance(deps, job) : { state: 'done' };
  const result = { ...maintenance.result, ...(await firmwareResult(deps, job)) };
  if (ks.on)
    return {
      state: 'blocked',
      detail:
        'the kill switch is active: nothing is sent to an iDRAC; staged updates are listed in staged_leftovers' +
        (maintenance.detail ? `; ${maintenance.detail}` : ''),
      result,
    };
  const stillStaged = left.filter((e) => e.state !== 'running').map((e) => `${e.endpoint_id} ${e.jid ?? e.image_uri}`);
  if (maintenance.state === 'done' && !stillStaged.length) {
    await releaseBaseline(deps, job);
    return { state: 'done', detail: maintenance.detail, result };
  }
  if (maintenance.state === 'done' && (job.compensation?.attempts ?? 0) + 1 >= 5) {
    await releaseBaseline(deps, job);
    return { state: 'done', detail: `gave up withdrawing staged updates after 5 attempts: ${stillStaged.join(', ')}`, result };
  }
  return {
    state: maintenance.state === 'working' ? 'working' : 'blocked',
    detail: [maintenance.detail, stillStaged.length ? `staged updates not withdrawn yet: ${stillStaged.join(', ')}` : undefined]
      .filter(Boolean)
      .join('; '),
    result,
  };
}
