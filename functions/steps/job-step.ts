/**
 * Every Task state of the job state machines lands here, with `action` naming the step; its log lines carry
 * the submitting request's correlation id and the job id. A step that finds its job finished ends the
 * workflow (the ASL catches JobNotActive): not a failure.
 */
import { deps } from '../../shared/container';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { JobNotActiveError } from '../../shared/usecases/jobs/step-context';
import { runJobStep } from '../../shared/usecases/jobs/steps';

type StepEvent = { job_id?: string; correlation_id?: string };

export const handler = lambdaFunction(async (event: StepEvent) => runJobStep(await deps(), event), {
  logContext: (event) => ({ correlation_id: event.correlation_id ?? event.job_id, job_id: event.job_id }),
  expected: (error) => error instanceof JobNotActiveError,
});
