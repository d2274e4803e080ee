import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { localFunctionArn, parseAsl, placeholdersIn } from '../../shared/adapters/workflows/asl';
import { LocalWorkflows, type StateEvent } from '../../shared/adapters/workflows/local-workflows';
import { ExecutionNotFoundError, TaskTokenInvalidError } from '../../shared/ports/workflows';
import {
  eventually,
  FIXTURES_DIR,
  loadFixtureWorkflows,
  settle,
  TestFunctions,
  untilFinished,
  workflowsContract,
} from './workflows.contract';

workflowsContract('LocalWorkflows (aws-local-stepfunctions in-process)', async (setup) => {
  const workflows = new LocalWorkflows(setup);
  return { workflows, close: () => workflows.close() };
});

type Definition = { StartAt: string; States: Record<string, Record<string, unknown>> };

describe('LocalWorkflows specifics', () => {
  let definitions: Record<string, { definition: object }>;
  let fns: TestFunctions;
  let lw: LocalWorkflows;
  beforeAll(async () => {
    definitions = await loadFixtureWorkflows();
  });
  beforeEach(() => {
    fns = new TestFunctions();
    lw = new LocalWorkflows({ workflows: definitions, invoke: fns.invoke });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await lw.close();
  });

  /** The approval fixture with its callback state changed by `patch`. */
  const approvalWith = (patch: Record<string, unknown>): { definition: object } => {
    const definition = structuredClone(definitions.approval!.definition) as Definition;
    Object.assign(definition.States['Request Approval']!, patch);
    return { definition };
  };

  it('forms AWS-like execution ARNs and refuses names Step Functions would refuse', async () => {
    const { executionId } = await lw.start('two-steps', 'job-arn', { request: { id: 'x' } });
    expect(executionId).toBe('arn:aws:states:local:000000000000:execution:two-steps:job-arn');
    await expect(lw.start('two-steps', 'has space', {})).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(lw.start('two-steps', 'x'.repeat(81), {})).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(lw.start('nope', 'job-1', {})).rejects.toThrow(/Unknown workflow 'nope'/);
  });

  it('lists running executions for the health check', async () => {
    const a = await lw.start('approval', 'job-wait-a', { job_id: 'job-wait-a' });
    await lw.start('approval', 'job-wait-b', { job_id: 'job-wait-b' });
    const done = await lw.start('two-steps', 'job-quick', { request: { id: 'q' } });
    await untilFinished(lw, done.executionId);
    expect(lw.listRunning()).toEqual({ count: 2, names: ['job-wait-a', 'job-wait-b'] });
    await lw.stop(a.executionId);
    expect(lw.listRunning()).toEqual({ count: 1, names: ['job-wait-b'] });
  });

  it('keeps a bounded number of finished executions, never a running one', async () => {
    const local = new LocalWorkflows({ workflows: definitions, invoke: fns.invoke, keepFinished: 2 });
    try {
      const waiting = await local.start('approval', 'job-waits', { job_id: 'job-waits' });
      const ids: string[] = [];
      for (const name of ['job-q1', 'job-q2', 'job-q3']) {
        const { executionId } = await local.start('two-steps', name, { request: { id: name } });
        await untilFinished(local, executionId);
        ids.push(executionId);
      }
      await expect(local.describe(ids[0]!)).rejects.toBeInstanceOf(ExecutionNotFoundError);
      for (const id of ids.slice(1)) expect((await local.describe(id)).status).toBe('SUCCEEDED');
      expect((await local.describe(waiting.executionId)).status).toBe('RUNNING');
    } finally {
      await local.close();
    }
  });

  it('close() aborts everything running and refuses new executions', async () => {
    const { executionId } = await lw.start('long-wait', 'job-closing', { job_id: 'job-closing' });
    await lw.close();
    expect(await lw.describe(executionId)).toMatchObject({ status: 'ABORTED', error: 'LocalWorkflows.Closed' });
    expect(lw.listRunning().count).toBe(0);
    await expect(lw.start('two-steps', 'job-late', {})).rejects.toThrow(/closed/);
  });

  it('gives every Map item waiting for a token its own token', async () => {
    const definition = {
      StartAt: 'Approve Each',
      States: {
        'Approve Each': {
          Type: 'Map',
          ItemsPath: '$.hosts',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Approve Host',
            States: {
              'Approve Host': {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
                Parameters: {
                  FunctionName: localFunctionArn('test-request-approval'),
                  Payload: { 'task_token.$': '$$.Task.Token', 'job_id.$': '$' },
                },
                End: true,
              },
            },
          },
          End: true,
        },
      },
    };
    const local = new LocalWorkflows({ workflows: { each: { definition } }, invoke: fns.invoke });
    try {
      const { executionId } = await local.start('each', 'job-each', { hosts: ['h1', 'h2', 'h3'] });
      await eventually(() => (fns.approvals.length === 3 ? true : undefined), 'three approval requests');
      expect(new Set(fns.approvals.map((a) => a.task_token)).size).toBe(3);
      for (const a of fns.approvals) await local.sendTaskSuccess(a.task_token, { host: a.job_id });
      expect((await untilFinished(local, executionId)).output).toEqual([{ host: 'h1' }, { host: 'h2' }, { host: 'h3' }]);
    } finally {
      await local.close();
    }
  });

  it('tells onStateEvent of every state entered and left, those of Map iterations included', async () => {
    const definition = {
      StartAt: 'Each Host',
      States: {
        'Each Host': {
          Type: 'Map',
          ItemsPath: '$.hosts',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Mark Host',
            States: { 'Mark Host': { Type: 'Pass', Parameters: { 'host.$': '$' }, End: true } },
          },
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    };
    const events: StateEvent[] = [];
    const local = new LocalWorkflows({ workflows: { each: { definition } }, invoke: fns.invoke, onStateEvent: (e) => events.push(e) });
    try {
      const { executionId } = await local.start('each', 'job-states', { hosts: ['h1', 'h2'] });
      await untilFinished(local, executionId);
      await eventually(() => (events.some((e) => e.state === 'Done' && e.kind === 'exited') ? true : undefined), 'the last state left');
      const entered = events.filter((e) => e.kind === 'entered');
      expect(entered.map((e) => e.state).sort()).toEqual(['Done', 'Each Host', 'Mark Host', 'Mark Host']);
      expect(
        entered
          .filter((e) => e.state === 'Mark Host')
          .map((e) => e.input)
          .sort(),
      ).toEqual(['h1', 'h2']);
      expect(events.filter((e) => e.kind === 'exited')).toHaveLength(4);
      expect(events.every((e) => e.workflow === 'each' && e.execution === 'job-states')).toBe(true);
    } finally {
      await local.close();
    }
  });

  it('fails a callback task whose function throws, before any token is answered', async () => {
    const local = new LocalWorkflows({
      workflows: { approval: definitions.approval! },
      invoke: async () => {
        throw Object.assign(new Error('mailbox full'), { name: 'Notify.Failed' });
      },
    });
    try {
      const { executionId } = await local.start('approval', 'job-notify', { job_id: 'job-notify' });
      const done = await untilFinished(local, executionId);
      expect(done.status).toBe('FAILED');
      expect(done.error).toBe('Notify.Failed');
      expect(JSON.parse(done.cause!)).toEqual({ errorType: 'Notify.Failed', errorMessage: 'mailbox full' });
    } finally {
      await local.close();
    }
  });

  describe('callback task timeouts (fake timers; the engine would otherwise give up after 60 s)', () => {
    const startWaiting = async (local: LocalWorkflows, name: string) => {
      const { executionId } = await local.start('approval', name, { job_id: name });
      for (let i = 0; i < 100 && !fns.approvals.some((a) => a.job_id === name); i++) await settle();
      const request = fns.approvals.find((a) => a.job_id === name);
      expect(request).toBeDefined();
      return { executionId, token: request!.task_token as string };
    };

    it('waits days for the token when the state sets no timeout, as AWS does', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const { executionId, token } = await startWaiting(lw, 'job-days');
      await vi.advanceTimersByTimeAsync(3 * 24 * 3600 * 1000);
      expect((await lw.describe(executionId)).status).toBe('RUNNING');
      await lw.sendTaskSuccess(token, { approved_by: 'night-shift' });
      await vi.advanceTimersByTimeAsync(0);
      for (let i = 0; i < 10; i++) await settle();
      expect(await lw.describe(executionId)).toMatchObject({ status: 'SUCCEEDED', output: { approval: { approved_by: 'night-shift' } } });
    });

    it('honours TimeoutSeconds: States.Timeout after it, and the token is dead', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const local = new LocalWorkflows({ workflows: { approval: approvalWith({ TimeoutSeconds: 7200 }) }, invoke: fns.invoke });
      try {
        const { executionId, token } = await startWaiting(local, 'job-timeout');
        await vi.advanceTimersByTimeAsync(7199 * 1000);
        expect((await local.describe(executionId)).status).toBe('RUNNING');
        await vi.advanceTimersByTimeAsync(2000);
        for (let i = 0; i < 10; i++) await settle();
        expect(await local.describe(executionId)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
        await expect(local.sendTaskSuccess(token, {})).rejects.toBeInstanceOf(TaskTokenInvalidError);
      } finally {
        await local.close();
      }
    });

    it('treats HeartbeatSeconds as the limit, since no heartbeat can be sent through the port', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const local = new LocalWorkflows({ workflows: { approval: approvalWith({ HeartbeatSeconds: 600 }) }, invoke: fns.invoke });
      try {
        const { executionId } = await startWaiting(local, 'job-heartbeat');
        await vi.advanceTimersByTimeAsync(601 * 1000);
        for (let i = 0; i < 10; i++) await settle();
        expect(await local.describe(executionId)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
      } finally {
        await local.close();
      }
    });
  });

  it('lets the process exit once a waiting execution is stopped (no engine timer left behind)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eio-workflows-'));
    const root = resolve(FIXTURES_DIR, '../../..');
    const script = join(dir, 'stop-and-exit.mts');
    await writeFile(
      script,
      `
import { LocalWorkflows } from ${JSON.stringify(join(root, 'shared/adapters/workflows/local-workflows.ts'))};
import { loadAslFile, localSubstitutions } from ${JSON.stringify(join(root, 'shared/adapters/workflows/asl.ts'))};
const definition = await loadAslFile(${JSON.stringify(join(FIXTURES_DIR, 'approval.asl.json'))},
  localSubstitutions({ RequestApprovalFunction: 'approve', ApplyFunction: 'apply' }));
let token: string | undefined;
const workflows = new LocalWorkflows({
  workflows: { approval: { definition } },
  invoke: async (_arn, p: any) => { token = p.task_token; return {}; },
});
const { executionId } = await workflows.start('approval', 'job-exit', { job_id: 'job-exit' });
while (!token) await new Promise((r) => setImmediate(r));
await workflows.stop(executionId);
process.stdout.write((await workflows.describe(executionId)).status);
`,
    );
    try {
      // If a timer survived the stop, the child would live for days; the bound turns that into a failure.
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
        cwd: root,
        timeout: 20_000,
        env: { ...process.env, LOG_LEVEL: 'SILENT' },
      });
      expect(stdout).toBe('ABORTED');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Loading ASL for the local engine', () => {
  const text = JSON.stringify({
    StartAt: 'Step',
    States: { Step: { Type: 'Task', Resource: '${StepFunction}', End: true } },
  });
  const invoke = async () => ({});

  it('substitutes placeholders with the given ARNs', () => {
    expect(placeholdersIn(text)).toEqual(['StepFunction']);
    const definition = parseAsl(text, { StepFunction: localFunctionArn('api-health') });
    expect(definition.States.Step?.Resource).toBe('arn:aws:lambda:local:000000000000:function:api-health');
  });

  it('fails clearly on a placeholder without a value, naming it and the file', () => {
    expect(() => parseAsl(text, { OtherFunction: 'x' }, 'statemachines/job.asl.json')).toThrow(
      'statemachines/job.asl.json: unknown placeholder(s) ${StepFunction} (known: OtherFunction)',
    );
  });

  it('refuses JSONata and variables, which the engine would silently ignore', () => {
    const jsonata = JSON.stringify({ QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
    expect(() => parseAsl(jsonata, {})).toThrow(/QueryLanguage JSONata/);
    const assign = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Assign: { x: 1 }, End: true } } });
    expect(() => parseAsl(assign, {})).toThrow(/state 'A' uses 'Assign'/);
  });

  it('refuses at construction what it cannot run locally, naming workflow and state', () => {
    const make = (states: Record<string, unknown>) => () =>
      new LocalWorkflows({ workflows: { wf: { definition: { StartAt: Object.keys(states)[0], States: states } } }, invoke });
    expect(make({ Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: {}, End: true } })).toThrow(
      /Workflow 'wf', state 'Put': Resource 'arn:aws:states:::dynamodb:putItem' is not supported locally/,
    );
    expect(
      make({
        Wait: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: localFunctionArn('x'), Payload: {} },
          End: true,
        },
      }),
    ).toThrow(/must pass \$\$\.Task\.Token/);
    expect(make({ Broken: { Type: 'Pass', Next: 'Nowhere' } })).toThrow(/Workflow 'wf'/);
  });

  it('caps durations beyond the longest timer Node honours instead of letting them fire at once', async () => {
    const definition = {
      StartAt: 'Wait A Year',
      States: {
        'Wait A Year': { Type: 'Wait', Seconds: 365 * 24 * 3600, Next: 'Step' },
        Step: { Type: 'Task', Resource: localFunctionArn('test-record-step'), End: true },
      },
    };
    const fns = new TestFunctions();
    const local = new LocalWorkflows({ workflows: { year: { definition } }, invoke: fns.invoke });
    try {
      const { executionId } = await local.start('year', 'job-year', {});
      // Node fires an over-long timer after 1 ms; give it far longer than that to show it does not.
      await new Promise((r) => setTimeout(r, 50));
      await settle();
      expect((await local.describe(executionId)).status).toBe('RUNNING');
      expect(fns.calls).toEqual([]);
    } finally {
      await local.close();
    }
  });
});
