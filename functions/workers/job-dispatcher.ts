import { deps } from '../../shared/container';
import { addToContext } from '../../shared/observability/context';
import { dispatchJob } from '../../shared/usecases/jobs/dispatch';
import { poolWorker } from './pool-worker';

/** One record = one job to start. */
export const handler = poolWorker('jobs', async ({ job_id }) => {
  addToContext({ job_id });
  await dispatchJob(await deps(), job_id);
});
