import { randomUUID } from 'node:crypto';
import { LocalWorkflows, type LocalWorkflowsOptions, localStateMachineArn } from '../../shared/adapters/workflows/local-workflows';
import { type ExecutionDescription, ExecutionNotFoundError, TaskTokenInvalidError } from '../../shared/ports/workflows';
import { type Json, AwsJsonFault as SfnFault, startAwsJsonServer } from './fake-aws-json-server';

/**
 * A tiny Step Functions endpoint on 127.0.0.1 for tests: the real @aws-sdk/client-sfn (v3.1164, AWS JSON 1.0:
 * `x-amz-target: AWSStepFunctions.<Operation>`, `content-type: application/x-amz-json-1.0`, timestamps as epoch
 * seconds) talks to it, backed by a LocalWorkflows running the same definitions. Only the operations
 * SfnWorkflows uses exist. Errors come back as Step Functions sends them: HTTP 400 with the modelled `__type`.
 */
export type FakeSfnServer = {
  endpoint: string;
  /** Workflow name → state machine ARN (the shape of STATE_MACHINE_ARNS). */
  stateMachineArns: Record<string, string>;
  local: LocalWorkflows;
  /** Operations received, in order, e.g. ['DescribeExecution', 'StartExecution']. */
  calls: string[];
  close(): Promise<void>;
};

const epochSeconds = (ms: number): number => ms / 1000;

export async function startFakeSfnServer(options: LocalWorkflowsOptions): Promise<FakeSfnServer> {
  const local = new LocalWorkflows(options);
  const stateMachineArns = Object.fromEntries(Object.keys(options.workflows).map((w) => [w, localStateMachineArn(w)]));
  const workflowOf = new Map(Object.entries(stateMachineArns).map(([w, arn]) => [arn, w]));

  const describe = async (input: Json): Promise<ExecutionDescription> => {
    const arn = input.executionArn;
    if (typeof arn !== 'string' || !arn.startsWith('arn:')) throw new SfnFault('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    return local.describe(arn); // the local ids are the ARNs Step Functions would form
  };

  const operations: Record<string, (input: Json) => Promise<Json>> = {
    async StartExecution(input) {
      const workflow = workflowOf.get(String(input.stateMachineArn));
      if (!workflow) throw new SfnFault('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(input.stateMachineArn)}'`);
      const name = typeof input.name === 'string' ? input.name : randomUUID();
      const data = parseJsonField(input.input, 'InvalidExecutionInput', '{}');
      const { executionId, alreadyStarted } = await local.start(workflow, name, data);
      const execution = await local.describe(executionId);
      // Step Functions answers a repeat of a running execution's name and input with that execution, and
      // refuses any other reuse of the name.
      if (alreadyStarted && (execution.status !== 'RUNNING' || !sameJson(execution.input, data))) {
        throw new SfnFault('ExecutionAlreadyExists', `Execution Already Exists: '${executionId}'`);
      }
      return { executionArn: executionId, startDate: epochSeconds(execution.startedAt) };
    },

    async DescribeExecution(input) {
      const e = await describe(input);
      return {
        executionArn: e.executionId,
        stateMachineArn: stateMachineArns[e.workflow],
        name: e.name,
        status: e.status,
        startDate: epochSeconds(e.startedAt),
        input: JSON.stringify(e.input),
        inputDetails: { included: true },
        ...(e.stoppedAt !== undefined ? { stopDate: epochSeconds(e.stoppedAt) } : {}),
        ...(e.output !== undefined ? { output: JSON.stringify(e.output), outputDetails: { included: true } } : {}),
        ...(e.error !== undefined ? { error: e.error } : {}),
        ...(e.cause !== undefined ? { cause: e.cause } : {}),
      };
    },

    async StopExecution(input) {
      const e = await describe(input);
      await local.stop(e.executionId, {
        error: typeof input.error === 'string' ? input.error : undefined,
        cause: typeof input.cause === 'string' ? input.cause : undefined,
      });
      const after = await local.describe(e.executionId);
      return { stopDate: epochSeconds(after.stoppedAt ?? Date.now()) };
    },

    async SendTaskSuccess(input) {
      const output = parseJsonField(input.output, 'InvalidOutput');
      await local.sendTaskSuccess(String(input.taskToken ?? ''), output);
      return {};
    },

    async SendTaskFailure(input) {
      await local.sendTaskFailure(
        String(input.taskToken ?? ''),
        typeof input.error === 'string' ? input.error : '',
        typeof input.cause === 'string' ? input.cause : undefined,
      );
      return {};
    },
  };

  const server = await startAwsJsonServer({
    targetPrefix: 'AWSStepFunctions.',
    contentType: 'application/x-amz-json-1.0',
    requireContentType: true,
    operations,
    unsupported: (message) => new SfnFault('UnknownOperationException', message),
    toFault: (err) =>
      err instanceof ExecutionNotFoundError
        ? new SfnFault('ExecutionDoesNotExist', `Execution Does Not Exist: '${err.executionId}'`)
        : err instanceof TaskTokenInvalidError
          ? new SfnFault('TaskDoesNotExist', 'Task Does Not Exist')
          : err instanceof Error && err.name === 'InvalidName'
            ? new SfnFault('InvalidName', err.message)
            : new SfnFault('InternalFailure', (err as Error).message, 500),
    errorTypePrefix: 'com.amazonaws.sfn#',
    errorMessageField: 'message',
  });

  return {
    endpoint: server.endpoint,
    stateMachineArns,
    local,
    calls: server.calls,
    async close() {
      await local.close();
      await server.close();
    },
  };
}

/** Step Functions carries JSON documents as strings and refuses ones that do not parse. */
function parseJsonField(value: unknown, shape: string, fallback?: string): unknown {
  const text = value ?? fallback;
  if (typeof text !== 'string') throw new SfnFault(shape, 'A JSON document is required');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SfnFault(shape, `Invalid JSON: ${text.slice(0, 100)}`);
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
