import { deps } from '../../shared/container';
import { addToContext } from '../../shared/observability/context';
import { startCompensation } from '../../shared/usecases/jobs/compensation';
import { dispatchJob } from '../../shared/usecases/jobs/dispatch';
import { poolWorker } from './pool-worker';

/** One record = one job to start, or one ended job's compensation. */
export const handler = poolWorker('jobs', async ({ job_id, compensate }) => {
  addToContext({ job_id });
  if (compensate) await startCompensation(await deps(), job_id);
  else await dispatchJob(await deps(), job_id);
});
