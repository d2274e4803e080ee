/**
 * Workflows for the local stack: the same ASL, executed in-process by aws-local-stepfunctions, with every Task
 * state routed to `invoke` (which the local stack maps to the handler module CDK deploys).
 *
 * What the engine does not do, and how this adapter makes up for it:
 * - `lambda:invoke` and `lambda:invoke.waitForTaskToken` would be sent to real Lambda: each Task state gets a
 *   local handler instead; `lambda:invoke` results are wrapped in `{ Payload, StatusCode, ... }` as AWS does.
 * - `$$.Task.Token` is one context value per run: the context carries a per-execution sentinel, and each
 *   callback task swaps it in its Payload for a fresh token, so every waiting task (Map items, retries,
 *   concurrent executions) has its own token that SendTaskSuccess/SendTaskFailure settle.
 * - a Task without TimeoutSeconds times out after 60 s there, where AWS waits indefinitely: such states get
 *   the longest timer Node allows (~24.8 days); HeartbeatSeconds (no heartbeat exists in the port) caps a
 *   callback wait like a timeout.
 * - abort() leaves the running handler pending (and the engine's timers alive): stop() settles every token
 *   wait of the execution, and handlers refuse to invoke anything for an execution that is no longer running.
 */
import './polyfills'; // must run before aws-local-stepfunctions executes a Task state
import { randomBytes, randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { logger } from '../../observability/logger';
import {
  type ExecutionDescription,
  ExecutionNotFoundError,
  type ExecutionStatus,
  TaskTokenInvalidError,
  type Workflows,
} from '../../ports/workflows';
import { type AslDefinition, type AslState, forEachState, LOCAL_ACCOUNT, LOCAL_REGION } from './asl';

export type InvokeFunction = (functionArn: string, payload: unknown) => Promise<unknown>;

export type LocalWorkflowsOptions = {
  /** Workflow name → definition with placeholders already substituted (see asl.ts). */
  workflows: Record<string, { definition: object }>;
  /**
   * Calls the function behind a (local) Lambda ARN with a JSON payload. A throw is a function error: its
   * `name` becomes the state's Error as Lambda's errorType does. Enforce the function's own timeout here, as
   * Lambda would: Task states without TimeoutSeconds wait for it as long as AWS does.
   */
  invoke: InvokeFunction;
  /**
   * Told of every state an execution enters and leaves, those of Map iterations included, in order: a
   * measurement hook (the host maintenance bench counts state transitions with it); unset in the local stack.
   */
  onStateEvent?: (event: StateEvent) => void;
  /**
   * Finished executions kept for describe and for a repeated start to find (default 2,000); older ones are
   * forgotten, so a long-running stack's memory does not grow with every job it ever ran. Running executions
   * are always kept. Jobs keep their own record of how their execution ended.
   */
  keepFinished?: number;
};

/** A state entered or left; `input` is the state's input as the engine saw it. */
export type StateEvent = { kind: 'entered' | 'exited'; workflow: string; execution: string; state: string; input: unknown; at: number };

export const localStateMachineArn = (workflow: string): string =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${workflow}`;
export const localExecutionArn = (workflow: string, name: string): string =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${workflow}:${name}`;

/** Longest delay Node's setTimeout honours (2^31-1 ms); a longer one fires at once, so durations are capped. */
export const MAX_TIMER_SECONDS = Math.floor(0x7fffffff / 1000);

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const LAMBDA_FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$/;
// AWS execution names: 1-80 characters, no whitespace, brackets, wildcards, these specials or control chars.
// biome-ignore lint/suspicious/noControlCharactersInRegex: execution names must not contain control characters
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

type TaskPlan = { kind: 'direct'; resource: string } | { kind: 'invoke' } | { kind: 'wait'; expiresAfterSeconds?: number };

type PreparedWorkflow = { machine: StateMachine; tasks: Map<string, TaskPlan> };

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type JsonValue = Parameters<TaskHandlers[string]>[0];

type Execution = Omit<ExecutionDescription, 'output' | 'input'> & {
  input: JsonValue;
  output?: JsonValue;
  /** Stands in for `$$.Task.Token` in the run context; replaced per callback task by a real token. */
  sentinel: string;
  tokens: Set<string>;
  abort: () => void;
  done: Promise<void>;
};

type TokenWait = { execution: Execution; resolve: (output: JsonValue) => void; reject: (err: Error) => void };

export class LocalWorkflows implements Workflows {
  private readonly prepared = new Map<string, PreparedWorkflow>();
  private readonly executions = new Map<string, Execution>();
  private readonly tokenWaits = new Map<string, TokenWait>();
  /** Finished execution ids, oldest first. */
  private readonly finished: string[] = [];
  private readonly keepFinished: number;
  private readonly invoke: InvokeFunction;
  private readonly onStateEvent: LocalWorkflowsOptions['onStateEvent'];
  private closed = false;

  constructor(options: LocalWorkflowsOptions) {
    this.invoke = options.invoke;
    this.onStateEvent = options.onStateEvent;
    this.keepFinished = options.keepFinished ?? 2_000;
    for (const [workflow, { definition }] of Object.entries(options.workflows)) {
      this.prepared.set(workflow, prepare(workflow, definition as AslDefinition));
    }
  }

  async start(workflow: string, name: string, input: unknown): Promise<{ executionId: string; alreadyStarted: boolean }> {
    const prepared = this.prepared.get(workflow);
    if (!prepared) throw new Error(`Unknown workflow '${workflow}'`);
    if (!EXECUTION_NAME.test(name)) throw invalidName(name);
    const executionId = localExecutionArn(workflow, name);
    if (this.executions.has(executionId)) return { executionId, alreadyStarted: true };
    if (this.closed) throw new Error('Local workflows are closed; no new executions start');

    const data = toJson(input ?? {});
    // Registered before anything can yield, so a concurrent start with the same name sees it.
    const execution: Execution = {
      executionId,
      workflow,
      name,
      status: 'RUNNING',
      input: data,
      startedAt: Date.now(),
      sentinel: `eio-local-task-token-placeholder:${randomUUID()}`,
      tokens: new Set(),
      abort: () => undefined,
      done: Promise.resolve(),
    };
    this.executions.set(executionId, execution);

    const handlers: TaskHandlers = {};
    for (const [stateName, plan] of prepared.tasks) {
      handlers[stateName] = (taskInput) => this.runTask(execution, stateName, plan, taskInput);
    }
    const run = prepared.machine.run(structuredClone(data), {
      context: {
        Execution: { Id: executionId, Name: name, RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/eio-local` },
        StateMachine: { Id: localStateMachineArn(workflow), Name: workflow },
        Task: { Token: execution.sentinel },
      },
      overrides: { taskResourceLocalHandlers: handlers },
    });
    execution.abort = run.abort;
    if (this.onStateEvent) void this.reportStates(execution, run.eventLogs, this.onStateEvent);
    execution.done = run.result.then(
      (output) => this.finish(execution, { status: 'SUCCEEDED', output }),
      (err: unknown) => this.finish(execution, outcomeOf(err)),
    );
    logger.debug('Workflow execution started', { workflow, execution_name: name });
    return { executionId, alreadyStarted: false };
  }

  async executionId(workflow: string, name: string): Promise<string> {
    if (!this.prepared.has(workflow)) throw new Error(`Unknown workflow '${workflow}'`);
    return localExecutionArn(workflow, name);
  }

  async describe(executionId: string): Promise<ExecutionDescription> {
    const e = this.executions.get(executionId);
    if (!e) throw new ExecutionNotFoundError(executionId);
    const description: ExecutionDescription = {
      executionId: e.executionId,
      workflow: e.workflow,
      name: e.name,
      status: e.status,
      input: structuredClone(e.input),
      startedAt: e.startedAt,
    };
    if (e.output !== undefined) description.output = structuredClone(e.output);
    if (e.error !== undefined) description.error = e.error;
    if (e.cause !== undefined) description.cause = e.cause;
    if (e.stoppedAt !== undefined) description.stoppedAt = e.stoppedAt;
    return description;
  }

  async stop(executionId: string, opts: { error?: string; cause?: string } = {}): Promise<void> {
    const e = this.executions.get(executionId);
    if (!e) throw new ExecutionNotFoundError(executionId);
    if (e.status !== 'RUNNING') return;
    // Recorded before abort() so describe() says ABORTED at once and handlers refuse further work.
    Object.assign(e, { status: 'ABORTED', stoppedAt: Date.now() }, definedOnly(opts));
    e.abort();
    this.releaseTokens(e);
    await e.done;
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    this.takeToken(taskToken).resolve(toJson(output));
  }

  async sendTaskFailure(taskToken: string, error: string, cause?: string): Promise<void> {
    this.takeToken(taskToken).reject(new TaskFailure(error, cause ?? ''));
  }

  /** For the health check: executions still running. */
  listRunning(): { count: number; names: string[] } {
    const names = [...this.executions.values()].filter((e) => e.status === 'RUNNING').map((e) => e.name);
    return { count: names.length, names };
  }

  /** Aborts every running execution (local stack shutdown) and waits until they have settled. */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    await Promise.all(running.map((e) => this.stop(e.executionId, { error: 'LocalWorkflows.Closed', cause: 'The local stack shut down' })));
  }

  private async reportStates(
    execution: Execution,
    events: ReturnType<StateMachine['run']>['eventLogs'],
    report: NonNullable<LocalWorkflowsOptions['onStateEvent']>,
  ): Promise<void> {
    for await (const e of events) {
      if (e.type !== 'StateEntered' && e.type !== 'StateExited') continue;
      const kind = e.type === 'StateEntered' ? 'entered' : 'exited';
      report({ kind, workflow: execution.workflow, execution: execution.name, state: e.state.name, input: e.state.input, at: e.timestamp });
    }
  }

  private async runTask(execution: Execution, stateName: string, plan: TaskPlan, input: JsonValue): Promise<JsonValue> {
    // Map iterations queued behind MaxConcurrency, or a retry, can start after the execution ended.
    if (execution.status !== 'RUNNING') throw executionClosed(execution.status);
    switch (plan.kind) {
      case 'direct':
        return this.callFunction(plan.resource, input);
      case 'invoke':
        return this.invokeIntegration(stateName, input);
      case 'wait':
        return this.waitForTaskToken(execution, stateName, plan, input);
    }
  }

  /** `arn:aws:states:::lambda:invoke`: the result comes back wrapped the way the Lambda Invoke API answers. */
  private async invokeIntegration(stateName: string, input: JsonValue): Promise<JsonValue> {
    const params = invokeParameters(stateName, input);
    if (params.InvocationType === 'Event') {
      // Asynchronous invocation: AWS answers 202 at once and the function's outcome is not the state's.
      this.callFunction(params.FunctionName, params.Payload).catch((err: unknown) =>
        logger.warn('Asynchronous Lambda invocation failed', { state: stateName, error: (err as Error).name }),
      );
      return lambdaInvokeResponse('', 202);
    }
    return lambdaInvokeResponse(await this.callFunction(params.FunctionName, params.Payload), 200);
  }

  private async waitForTaskToken(
    execution: Execution,
    stateName: string,
    plan: Extract<TaskPlan, { kind: 'wait' }>,
    input: JsonValue,
  ): Promise<JsonValue> {
    const params = invokeParameters(stateName, input);
    const token = randomBytes(48).toString('base64url');
    let resolve!: TokenWait['resolve'];
    let reject!: TokenWait['reject'];
    const settled = new Promise<JsonValue>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    settled.catch(() => undefined); // may be rejected (stop) while the function call below is still running
    // Known before the function runs: it may hand the token on, and the answer may come back before it returns.
    this.tokenWaits.set(token, { execution, resolve, reject });
    execution.tokens.add(token);
    try {
      await this.callFunction(params.FunctionName, replaceAll(params.Payload, execution.sentinel, token));
    } catch (err) {
      this.dropToken(token);
      throw err;
    }
    // The engine's own timer fails the state with States.Timeout; this one starts later with the same length,
    // so it fires after it and only retires the token (a late SendTaskSuccess is then refused, as in AWS).
    const expiry =
      plan.expiresAfterSeconds === undefined ? undefined : setTimeout(() => this.expireToken(token), plan.expiresAfterSeconds * 1000);
    try {
      return await settled;
    } finally {
      clearTimeout(expiry);
    }
  }

  private async callFunction(functionArn: string, payload: JsonValue): Promise<JsonValue> {
    let result: unknown;
    try {
      result = await this.invoke(functionArn, toJson(payload));
    } catch (err) {
      throw functionError(err);
    }
    return toJson(result);
  }

  private takeToken(token: string): TokenWait {
    const wait = this.tokenWaits.get(token);
    if (!wait) throw new TaskTokenInvalidError();
    this.dropToken(token);
    return wait;
  }

  private dropToken(token: string): void {
    const wait = this.tokenWaits.get(token);
    this.tokenWaits.delete(token);
    wait?.execution.tokens.delete(token);
  }

  private expireToken(token: string): void {
    const wait = this.tokenWaits.get(token);
    if (!wait) return;
    this.dropToken(token);
    wait.reject(new TaskFailure('States.Timeout', 'The task token expired'));
  }

  /** Settles every pending callback wait, so no handler (or the engine's timer racing it) outlives the run. */
  private releaseTokens(execution: Execution): void {
    for (const token of [...execution.tokens]) {
      const wait = this.tokenWaits.get(token);
      this.dropToken(token);
      wait?.reject(executionClosed(execution.status));
    }
  }

  private finish(execution: Execution, outcome: Outcome): void {
    if (execution.status === 'RUNNING') {
      Object.assign(execution, { stoppedAt: Date.now() }, definedOnly(outcome));
    }
    this.releaseTokens(execution);
    this.finished.push(execution.executionId);
    for (const old of this.finished.splice(0, Math.max(0, this.finished.length - this.keepFinished))) {
      if (this.executions.get(old)?.status !== 'RUNNING') this.executions.delete(old);
    }
    logger.debug('Workflow execution finished', {
      workflow: execution.workflow,
      execution_name: execution.name,
      status: execution.status,
      error: execution.error,
    });
  }
}

type Outcome = { status: ExecutionStatus; output?: JsonValue; error?: string; cause?: string };

function outcomeOf(err: unknown): Outcome {
  if (err instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (err instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', error: 'States.Timeout' };
  const failure = err instanceof ExecutionError && err.cause instanceof Error ? err.cause : err;
  // An empty Cause (SendTaskFailure without one) is absent in AWS's DescribeExecution, so here too.
  if (failure instanceof Error) return { status: 'FAILED', error: failure.name, cause: failure.message || undefined };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(failure) };
}

/** A state failure as ASL sees it: `name` is the Error matched by Retry/Catch, `message` the Cause. */
class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/**
 * An error neither Retry nor Catch may handle (the engine reads isRetryable/isCatchable, as on its own
 * runtime errors): raised inside an execution that was stopped or has ended, so it cannot turn into more work,
 * and for malformed Parameters, which AWS also reports as an uncatchable States.Runtime.
 */
class UncatchableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
  get isRetryable(): boolean {
    return false;
  }
  get isCatchable(): boolean {
    return false;
  }
}

const executionClosed = (status: ExecutionStatus) => new UncatchableError(`The execution is ${status}`);

/** Lambda reports a function error as errorType (the error's name) plus a JSON Cause; mirror both. */
function functionError(err: unknown): TaskFailure {
  if (err instanceof Error) {
    const errorType = err.name || 'Error';
    return new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage: err.message }));
  }
  return new TaskFailure('Error', JSON.stringify({ errorType: 'Error', errorMessage: String(err) }));
}

function invalidName(name: string): Error {
  const err = new Error(`Invalid execution name '${name}': 1-80 characters, no whitespace or special characters`);
  err.name = 'InvalidName';
  return err;
}

function invokeParameters(stateName: string, input: JsonValue): { FunctionName: string; Payload: JsonValue; InvocationType?: string } {
  const params = input as Record<string, JsonValue> | null;
  if (typeof params !== 'object' || params === null || Array.isArray(params) || typeof params.FunctionName !== 'string') {
    throw new UncatchableError(`State '${stateName}': Parameters must give FunctionName`);
  }
  // Lambda hands a function invoked without a payload an empty object.
  const payload = params.Payload === undefined ? {} : params.Payload;
  const invocationType = typeof params.InvocationType === 'string' ? params.InvocationType : undefined;
  return { FunctionName: params.FunctionName, Payload: payload, ...(invocationType ? { InvocationType: invocationType } : {}) };
}

/** The shape of a `lambda:invoke` state's result in AWS (Invoke API response plus SDK metadata). */
function lambdaInvokeResponse(payload: JsonValue, statusCode: number): JsonValue {
  const requestId = randomUUID();
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: {
      AllHttpHeaders: {
        'X-Amz-Executed-Version': ['$LATEST'],
        'x-amzn-RequestId': [requestId],
        'Content-Type': ['application/json'],
      },
      HttpHeaders: { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId, 'Content-Type': 'application/json' },
      HttpStatusCode: statusCode,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: statusCode,
  };
}

/** Values crossing a Lambda or SFN boundary are JSON there: same here (Dates become strings, undefined null). */
function toJson(value: unknown): JsonValue {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

function replaceAll(value: JsonValue, search: string, replacement: string): JsonValue {
  if (typeof value === 'string') return value.includes(search) ? value.replaceAll(search, replacement) : value;
  if (Array.isArray(value)) return value.map((v) => replaceAll(v, search, replacement));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceAll(v, search, replacement)]));
  }
  return value;
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Checks a definition against what this adapter can run and rewrites the timeouts the engine would get wrong;
 * fails at construction, naming the workflow and state, rather than mid-execution.
 */
function prepare(workflow: string, source: AslDefinition): PreparedWorkflow {
  if (typeof source?.StartAt !== 'string' || typeof source.States !== 'object' || source.States === null) {
    throw new Error(`Workflow '${workflow}': not a state machine definition (StartAt and States are required)`);
  }
  const definition = structuredClone(source);
  const where = (state: string) => `Workflow '${workflow}', state '${state}'`;
  const tasks = new Map<string, TaskPlan>();
  const names = new Set<string>();
  capSeconds(definition, 'TimeoutSeconds');
  forEachState(definition, (name, state) => {
    // Local handlers are keyed by state name across nested Map/Parallel machines, as AWS requires anyway.
    if (names.has(name)) throw new Error(`${where(name)}: state names must be unique in the whole definition`);
    names.add(name);
    if (state.Type === 'Wait') capSeconds(state, 'Seconds');
    if (state.Type === 'Task') tasks.set(name, planTask(state, where(name)));
  });
  try {
    return { machine: validatedMachine(definition), tasks };
  } catch (err) {
    throw new Error(`Workflow '${workflow}': ${(err as Error).message}`);
  }
}

// The engine's validator compiles its schemas on every call (0.1-0.4 s per definition here), so a definition
// already validated in this process (tests, restarts of the local stack) is not validated again.
const validatedDefinitions = new Set<string>();

function validatedMachine(definition: AslDefinition): StateMachine {
  const key = JSON.stringify(definition);
  const options = validatedDefinitions.has(key) ? { validationOptions: { noValidate: true } } : undefined;
  const machine = new StateMachine(definition as unknown as StateMachineDefinition, options);
  validatedDefinitions.add(key);
  return machine;
}

function planTask(state: AslState, where: string): TaskPlan {
  const resource = state.Resource;
  if (typeof resource !== 'string') throw new Error(`${where}: Resource is missing`);
  if (state.HeartbeatSecondsPath !== undefined) throw new Error(`${where}: HeartbeatSecondsPath is not supported locally`);
  const explicitTimeout = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined;
  const heartbeat = typeof state.HeartbeatSeconds === 'number' ? state.HeartbeatSeconds : undefined;

  if (resource === LAMBDA_INVOKE_WAIT) {
    if (!JSON.stringify(state.Parameters ?? null).includes('$$.Task.Token')) {
      throw new Error(`${where}: a waitForTaskToken task must pass $$.Task.Token in its Parameters`);
    }
    // No heartbeat can be sent through the port, so HeartbeatSeconds bounds the wait like a timeout.
    const limits = [explicitTimeout, heartbeat].filter((s): s is number => s !== undefined);
    const expiresAfterSeconds = limits.length > 0 ? Math.min(MAX_TIMER_SECONDS, ...limits) : undefined;
    if (state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = expiresAfterSeconds ?? MAX_TIMER_SECONDS;
    return expiresAfterSeconds === undefined ? { kind: 'wait' } : { kind: 'wait', expiresAfterSeconds };
  }
  // AWS sets no Task timeout of its own (Lambda's bounds the call); the engine would impose 60 s.
  if (state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = Math.min(explicitTimeout ?? MAX_TIMER_SECONDS, MAX_TIMER_SECONDS);
  if (resource === LAMBDA_INVOKE) return { kind: 'invoke' };
  if (LAMBDA_FUNCTION_ARN.test(resource)) return { kind: 'direct', resource };
  throw new Error(
    `${where}: Resource '${resource}' is not supported locally ` +
      '(Lambda function ARNs, lambda:invoke and lambda:invoke.waitForTaskToken are)',
  );
}

function capSeconds(target: Record<string, unknown>, field: string): void {
  const value = target[field];
  if (typeof value === 'number' && value > MAX_TIMER_SECONDS) target[field] = MAX_TIMER_SECONDS;
}
