import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { config } from '../../config';
import {
  type ExecutionDescription,
  ExecutionNotFoundError,
  type ExecutionStatus,
  TaskTokenInvalidError,
  type Workflows,
} from '../../ports/workflows';

export type SfnWorkflowsOptions = {
  /** Workflow name → state machine ARN; defaults to config().stateMachineArns. */
  stateMachineArns?: Record<string, string>;
};

// Every way Step Functions says "this token cannot be answered (any more)".
const TOKEN_ERRORS = new Set(['TaskDoesNotExist', 'InvalidToken', 'TaskTimedOut']);
// A malformed ARN cannot name an execution that exists.
const MISSING_EXECUTION_ERRORS = new Set(['ExecutionDoesNotExist', 'InvalidArn']);

/** Workflows on AWS Step Functions (standard state machines), one execution per job named after it. */
export class SfnWorkflows implements Workflows {
  private readonly arns: Record<string, string>;
  private readonly workflowByArn: Map<string, string>;

  /** `client` is created once per container (module scope) by the caller and shared. */
  constructor(
    private readonly client: SFNClient,
    options: SfnWorkflowsOptions = {},
  ) {
    this.arns = options.stateMachineArns ?? config().stateMachineArns;
    this.workflowByArn = new Map(Object.entries(this.arns).map(([workflow, arn]) => [arn, workflow]));
  }

  /**
   * Looks first, then starts. StartExecution alone cannot say whether it started anything: for a running
   * execution with the same name and input it answers 200 with the existing ARN, and ExecutionAlreadyExists
   * only otherwise. Two callers racing past the lookup both report alreadyStarted false, for one execution.
   */
  async start(workflow: string, name: string, input: unknown): Promise<{ executionId: string; alreadyStarted: boolean }> {
    const stateMachineArn = this.stateMachineArn(workflow);
    const executionId = executionArnOf(stateMachineArn, name);
    if (await this.exists(executionId)) return { executionId, alreadyStarted: true };
    try {
      const out = await this.client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input ?? {}) }));
      return { executionId: out.executionArn ?? executionId, alreadyStarted: false };
    } catch (err) {
      if (isAwsError(err, 'ExecutionAlreadyExists')) return { executionId, alreadyStarted: true };
      throw err;
    }
  }

  async describe(executionId: string): Promise<ExecutionDescription> {
    let out: DescribeExecutionCommandOutput;
    try {
      out = await this.client.send(new DescribeExecutionCommand({ executionArn: executionId }));
    } catch (err) {
      if (isMissingExecution(err)) throw new ExecutionNotFoundError(executionId);
      throw err;
    }
    const description: ExecutionDescription = {
      executionId: out.executionArn ?? executionId,
      workflow: this.workflowOf(out.stateMachineArn ?? ''),
      name: out.name ?? executionId.split(':').pop() ?? '',
      status: statusOf(out.status),
      input: parseJson(out.input) ?? {},
      startedAt: out.startDate?.getTime() ?? 0,
    };
    const output = parseJson(out.output);
    if (output !== undefined) description.output = output;
    if (out.error !== undefined) description.error = out.error;
    if (out.cause !== undefined) description.cause = out.cause;
    if (out.stopDate !== undefined) description.stoppedAt = out.stopDate.getTime();
    return description;
  }

  async stop(executionId: string, opts: { error?: string; cause?: string } = {}): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn: executionId, error: opts.error, cause: opts.cause }));
    } catch (err) {
      if (isMissingExecution(err)) throw new ExecutionNotFoundError(executionId);
      throw err;
    }
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    await answering(() => this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? null) })));
  }

  async sendTaskFailure(taskToken: string, error: string, cause?: string): Promise<void> {
    await answering(() => this.client.send(new SendTaskFailureCommand({ taskToken, error, cause })));
  }

  async executionId(workflow: string, name: string): Promise<string> {
    return executionArnOf(this.stateMachineArn(workflow), name);
  }

  private stateMachineArn(workflow: string): string {
    const arn = this.arns[workflow];
    if (!arn) throw new Error(`Unknown workflow '${workflow}': no state machine ARN configured`);
    return arn;
  }

  private async exists(executionArn: string): Promise<boolean> {
    try {
      await this.client.send(new DescribeExecutionCommand({ executionArn }));
      return true;
    } catch (err) {
      if (isMissingExecution(err)) return false;
      throw err;
    }
  }

  private workflowOf(stateMachineArn: string): string {
    // An ARN missing from the table (renamed or removed since) still names its state machine.
    return this.workflowByArn.get(stateMachineArn) ?? stateMachineArn.split(':').pop() ?? stateMachineArn;
  }
}

/** arn:…:stateMachine:<machine> → arn:…:execution:<machine>:<name>, as Step Functions forms it. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length < 7 || parts[5] !== 'stateMachine') throw new Error(`Not a state machine ARN: '${stateMachineArn}'`);
  return [...parts.slice(0, 5), 'execution', parts[6], name].join(':');
}

function statusOf(status: string | undefined): ExecutionStatus {
  switch (status) {
    case 'RUNNING':
    case 'SUCCEEDED':
    case 'FAILED':
    case 'TIMED_OUT':
    case 'ABORTED':
      return status;
    case 'PENDING_REDRIVE':
      return 'FAILED'; // it failed; a redrive may run it again, which a later describe will show
    default:
      throw new Error(`Unexpected execution status '${String(status)}'`);
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // Step Functions only stores JSON; keep whatever came back rather than lose it
  }
}

async function answering(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (err instanceof Error && TOKEN_ERRORS.has(err.name)) throw new TaskTokenInvalidError();
    throw err;
  }
}

function isAwsError(err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name;
}

function isMissingExecution(err: unknown): boolean {
  return err instanceof Error && MISSING_EXECUTION_ERRORS.has(err.name);
}
