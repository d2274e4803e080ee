/**
 * A firmware_update job that names a baseline holds it while it runs: a reference edge from the baseline to the
 * job, so the baseline is not deleted under the job (409 naming it); given back when the job ends (its finish,
 * or its compensation once done).
 */
import type { FirmwareUpdateParams } from '../../domain/firmware';
import type { Job } from '../../domain/job';
import { firmwareBaselineRef } from '../../records/firmware-baselines';
import { references } from '../../records/references';
import type { EngineDeps } from '../jobs/common';

const jobRef = (jobId: string) => ({ kind: 'JOB', id: jobId, label: 'job' });

export async function holdBaseline(
  deps: Pick<EngineDeps, 'store'>,
  job: Pick<Job, 'id'>,
  params: Pick<FirmwareUpdateParams, 'baseline_id'>,
) {
  if (params.baseline_id) await references.add(deps.store, firmwareBaselineRef(params.baseline_id), jobRef(job.id));
}

export async function releaseBaseline(deps: Pick<EngineDeps, 'store'>, job: Pick<Job, 'id' | 'params'>) {
  const baselineId = job.params.baseline_id;
  if (typeof baselineId === 'string') await references.remove(deps.store, firmwareBaselineRef(baselineId), jobRef(job.id));
}
