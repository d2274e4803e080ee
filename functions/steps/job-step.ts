import { deps } from '../../shared/container';
import { runWithContext } from '../../shared/observability/context';
import { runJobStep } from '../../shared/usecases/jobs/steps';

/** Every Task state of the job state machines lands here, with `action` naming the step. */
export const handler = async (event: { job_id?: string; correlation_id?: string }) =>
  runWithContext({ correlation_id: event.correlation_id ?? event.job_id, job_id: event.job_id }, async () =>
    runJobStep(await deps(), event),
  );
