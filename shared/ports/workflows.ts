/**
 * Workflows: Step Functions state machines (AWS) or the same ASL executed in-process (local stack).
 * Executions are named after the record they run for (a job id), so starting the same name twice is a
 * no-op that returns the existing execution.
 */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export type ExecutionDescription = {
  executionId: string;
  workflow: string;
  name: string;
  status: ExecutionStatus;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startedAt: number;
  stoppedAt?: number;
};

export interface Workflows {
  /** Starts `workflow` (a key of the workflow table) as execution `name`. Idempotent by name. */
  start(workflow: string, name: string, input: unknown): Promise<{ executionId: string; alreadyStarted: boolean }>;
  /** The id execution `name` of `workflow` has (or will have once started), without starting it. */
  executionId(workflow: string, name: string): Promise<string>;
  /** Throws ExecutionNotFoundError. */
  describe(executionId: string): Promise<ExecutionDescription>;
  /** Stops a running execution; stopping a finished one is harmless. */
  stop(executionId: string, opts?: { error?: string; cause?: string }): Promise<void>;
  /** Completes a `.waitForTaskToken` task. Throws TaskTokenInvalidError for an unknown or spent token. */
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause?: string): Promise<void>;
}

export class ExecutionNotFoundError extends Error {
  constructor(readonly executionId: string) {
    super(`Execution '${executionId}' does not exist`);
    this.name = 'ExecutionNotFoundError';
  }
}
export class TaskTokenInvalidError extends Error {
  constructor() {
    super('Task token is unknown, expired or already used');
    this.name = 'TaskTokenInvalidError';
  }
}
