/**
 * Error names the state machines (statemachines/*.asl.json: Catch ErrorEquals, Fail Error) and the TypeScript
 * that raises them (a step's thrown error, SendTaskFailure, StopExecution) share: one spelling each.
 * Every other name an ASL file may use is a Step Functions built-in (States.*, Lambda.*); synth refuses any
 * other (infra/cdk/catalog-checks.ts), and test/unit/job-state-machines.test.ts checks who catches what.
 */
export const WORKFLOW_ERRORS = {
  /** A step found its job already finished (cancelled, failed, ended elsewhere): the workflow ends quietly. */
  jobNotActive: 'JobNotActive',
  /** Sent to the approval wait when an approver rejects the job. */
  approvalRejected: 'ApprovalRejected',
  /** Sent to the approval wait when housekeeping finds the approval past its time. */
  approvalExpired: 'ApprovalExpired',
  /** A maintenance job's Fail state when its plan was refused (the plan step has failed the job with the findings). */
  planRefused: 'PlanRefused',
  /** A job workflow's Fail state, after "Record failure" has failed the job. */
  jobFailed: 'JobFailed',
  /** StopExecution's error when the job is cancelled (no state can catch a stop). */
  jobCancelled: 'JobCancelled',
} as const;

export type WorkflowErrorName = (typeof WORKFLOW_ERRORS)[keyof typeof WORKFLOW_ERRORS];

export const WORKFLOW_ERROR_NAMES: readonly string[] = Object.values(WORKFLOW_ERRORS);
