import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadAslFile, localSubstitutions } from '../../shared/adapters/workflows/asl';
import type { LocalWorkflowsOptions } from '../../shared/adapters/workflows/local-workflows';
import { type ExecutionDescription, ExecutionNotFoundError, TaskTokenInvalidError, type Workflows } from '../../shared/ports/workflows';

/**
 * The Workflows port's contract: LocalWorkflows, and SfnWorkflows over the real SDK client against the fake
 * Step Functions server, pass the same suite. Both run the fixture ASL under test/fixtures/statemachines with
 * the recording test functions below; waits are bounded polls of describe(), never fixed sleeps.
 */
export type WorkflowsUnderTest = { workflows: Workflows; close(): Promise<void> };
export type MakeWorkflows = (setup: LocalWorkflowsOptions) => Promise<WorkflowsUnderTest>;

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/statemachines');

/** Placeholder → function name, as a WorkflowSpec's `tasks` says it. */
export const FIXTURE_TASKS: Record<string, string> = {
  ValidateFunction: 'test-validate',
  ApplyFunction: 'test-apply',
  RequestApprovalFunction: 'test-request-approval',
  ProcessTargetFunction: 'test-process-target',
  RecordStepFunction: 'test-record-step',
  EchoFunction: 'test-echo',
};

/** Every `*.asl.json` fixture by name (file name without the extension), placeholders filled with local ARNs. */
export async function loadFixtureWorkflows(): Promise<Record<string, { definition: object }>> {
  const files = (await readdir(FIXTURES_DIR)).filter((f) => f.endsWith('.asl.json'));
  const out: Record<string, { definition: object }> = {};
  for (const file of files) {
    out[file.replace(/\.asl\.json$/, '')] = { definition: await loadAslFile(join(FIXTURES_DIR, file), localSubstitutions(FIXTURE_TASKS)) };
  }
  return out;
}

type Payload = Record<string, any>;

export class ConflictError extends Error {
  override name = 'Apply.Conflict';
}

/** The step functions behind the fixtures, recording every call; the Map target can be held by the test. */
export class TestFunctions {
  readonly calls: { fn: string; payload: Payload }[] = [];
  readonly approvals: Payload[] = [];
  readonly held: { target: unknown; release(): void }[] = [];
  holdTargets = false;
  inFlight = 0;
  maxInFlight = 0;

  private readonly fns: Record<string, (p: Payload) => Promise<unknown>> = {
    'test-validate': async (p) => ({ ok: p.request?.valid !== false }),
    'test-apply': async (p) => {
      if (p.request?.fail === 'conflict') throw new ConflictError('the host is locked by another job');
      if (p.request?.fail === 'crash') throw new Error('disk full');
      return { id: p.request?.id ?? p.job_id, approved_by: p.approval?.approved_by ?? null };
    },
    'test-request-approval': async (p) => {
      this.approvals.push(p);
      return { requested: true };
    },
    'test-process-target': async (target) => {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      if (this.holdTargets) await new Promise<void>((release) => this.held.push({ target, release }));
      this.inFlight--;
      return { target, processed: true };
    },
    'test-record-step': async (p) => ({ recorded: p.step }),
    'test-echo': async (p) => ({ echoed: p }),
  };

  readonly invoke = async (functionArn: string, payload: unknown): Promise<unknown> => {
    const name = functionArn.split(':').pop() ?? '';
    const fn = this.fns[name];
    if (!fn) throw new Error(`No test function behind '${functionArn}'`);
    this.calls.push({ fn: name, payload: payload as Payload });
    return fn(payload as Payload);
  };

  callsOf(fn: string): Payload[] {
    return this.calls.filter((c) => c.fn === fn).map((c) => c.payload);
  }
}

/** Polls `probe` until it returns something other than undefined, a bounded number of times. */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Gave up waiting for ${what}`);
}

export const untilFinished = (workflows: Workflows, executionId: string): Promise<ExecutionDescription> =>
  eventually(async () => {
    const d = await workflows.describe(executionId);
    return d.status === 'RUNNING' ? undefined : d;
  }, `${executionId} to finish`);

/** Lets every pending callback and I/O turn run, so work that should not happen would have happened. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function workflowsContract(label: string, make: MakeWorkflows): void {
  describe(`Workflows contract: ${label}`, () => {
    let definitions: Record<string, { definition: object }>;
    let fns: TestFunctions;
    let sut: WorkflowsUnderTest;
    let wf: Workflows;

    beforeAll(async () => {
      definitions = await loadFixtureWorkflows();
    });
    beforeEach(async () => {
      fns = new TestFunctions();
      sut = await make({ workflows: definitions, invoke: fns.invoke });
      wf = sut.workflows;
    });
    afterEach(async () => {
      await sut.close();
    });

    const approvalFor = (jobId: string) =>
      eventually(() => fns.approvals.find((a) => a.job_id === jobId), `the approval request of ${jobId}`);

    describe('direct Lambda tasks, Choice and Catch', () => {
      it('runs to SUCCEEDED with each task result placed by ResultPath', async () => {
        const { executionId, alreadyStarted } = await wf.start('two-steps', 'job-ok', { request: { id: 'r-1' } });
        expect(alreadyStarted).toBe(false);
        const done = await untilFinished(wf, executionId);
        expect(done).toMatchObject({
          executionId,
          workflow: 'two-steps',
          name: 'job-ok',
          status: 'SUCCEEDED',
          input: { request: { id: 'r-1' } },
          output: { request: { id: 'r-1' }, validation: { ok: true }, applied: { id: 'r-1', approved_by: null } },
        });
        expect(done.stoppedAt).toBeGreaterThanOrEqual(done.startedAt);
        expect(fns.calls.map((c) => c.fn)).toEqual(['test-validate', 'test-apply']);
        expect(fns.callsOf('test-validate')).toEqual([{ request: { id: 'r-1' } }]);
      });

      it('takes the Choice default to a Fail state: FAILED with its error and cause, later task skipped', async () => {
        const { executionId } = await wf.start('two-steps', 'job-invalid', { request: { id: 'r-2', valid: false } });
        const done = await untilFinished(wf, executionId);
        expect(done).toMatchObject({
          status: 'FAILED',
          error: 'Request.Rejected',
          cause: 'The request did not pass validation',
        });
        expect(done.output).toBeUndefined();
        expect(fns.callsOf('test-apply')).toEqual([]);
      });

      it('fails the execution with the error a task throws when no Catch matches it', async () => {
        const { executionId } = await wf.start('two-steps', 'job-crash', { request: { id: 'r-3', fail: 'crash' } });
        const done = await untilFinished(wf, executionId);
        expect(done.status).toBe('FAILED');
        expect(done.error).toBe('Error');
        expect(done.cause).toContain('disk full');
      });

      it('follows the Catch when it matches the error, with the error under its ResultPath', async () => {
        const { executionId } = await wf.start('two-steps', 'job-conflict', { request: { id: 'r-4', fail: 'conflict' } });
        const done = await untilFinished(wf, executionId);
        expect(done).toMatchObject({
          status: 'SUCCEEDED',
          output: { outcome: 'conflict', error: 'Apply.Conflict', request: { id: 'r-4', fail: 'conflict' } },
        });
      });

      it('wraps a lambda:invoke result in Payload with StatusCode 200, as AWS does', async () => {
        const { executionId } = await wf.start('invoke-integration', 'job-echo', { hello: 'world' });
        const done = await untilFinished(wf, executionId);
        expect(done.status).toBe('SUCCEEDED');
        expect(done.output).toMatchObject({
          hello: 'world',
          echo: { Payload: { echoed: { hello: 'world' } }, StatusCode: 200, ExecutedVersion: '$LATEST' },
        });
      });
    });

    describe('idempotent start', () => {
      it('starts a name once: a repeat returns the same execution and the tasks run once', async () => {
        const input = { request: { id: 'r-5' } };
        const first = await wf.start('two-steps', 'job-once', input);
        const second = await wf.start('two-steps', 'job-once', input);
        expect(second).toEqual({ executionId: first.executionId, alreadyStarted: true });
        await untilFinished(wf, first.executionId);
        const third = await wf.start('two-steps', 'job-once', input);
        expect(third).toEqual({ executionId: first.executionId, alreadyStarted: true });
        await settle();
        expect(fns.callsOf('test-validate')).toHaveLength(1);
        expect(fns.callsOf('test-apply')).toHaveLength(1);
      });

      it('keeps one execution when the same name is started concurrently', async () => {
        const input = { request: { id: 'r-6' } };
        const starts = await Promise.all([1, 2, 3].map(() => wf.start('two-steps', 'job-race', input)));
        expect(new Set(starts.map((s) => s.executionId)).size).toBe(1);
        await untilFinished(wf, starts[0]!.executionId);
        await settle();
        expect(fns.callsOf('test-validate')).toHaveLength(1);
      });

      it('knows an execution id before the start, nothing started; the start returns that id', async () => {
        const id = await wf.executionId('two-steps', 'job-named-first');
        await expect(wf.describe(id)).rejects.toBeInstanceOf(ExecutionNotFoundError);
        expect(await wf.executionId('two-steps', 'job-other')).not.toBe(id);
        await expect(wf.executionId('no-such-workflow', 'job-named-first')).rejects.toThrow(/Unknown workflow/);
        const started = await wf.start('two-steps', 'job-named-first', { request: { id: 'n' } });
        expect(started).toEqual({ executionId: id, alreadyStarted: false });
        await untilFinished(wf, id);
      });

      it('gives different names different executions', async () => {
        const a = await wf.start('two-steps', 'job-a', { request: { id: 'a' } });
        const b = await wf.start('two-steps', 'job-b', { request: { id: 'b' } });
        expect(a.executionId).not.toBe(b.executionId);
        expect((await untilFinished(wf, a.executionId)).output).toMatchObject({ applied: { id: 'a' } });
        expect((await untilFinished(wf, b.executionId)).output).toMatchObject({ applied: { id: 'b' } });
      });
    });

    describe('waitForTaskToken', () => {
      it('hands the function a token and waits for SendTaskSuccess, then continues with its output', async () => {
        const { executionId } = await wf.start('approval', 'job-approve', { job_id: 'job-approve' });
        const request = await approvalFor('job-approve');
        expect(request).toMatchObject({ execution_id: executionId, execution_name: 'job-approve' });
        expect(typeof request.task_token).toBe('string');
        expect(request.task_token.length).toBeGreaterThan(16);

        await settle();
        expect((await wf.describe(executionId)).status).toBe('RUNNING');
        expect(fns.callsOf('test-apply')).toEqual([]);

        await wf.sendTaskSuccess(request.task_token, { approved_by: 'alice' });
        const done = await untilFinished(wf, executionId);
        expect(done).toMatchObject({
          status: 'SUCCEEDED',
          output: { job_id: 'job-approve', approval: { approved_by: 'alice' }, applied: { id: 'job-approve', approved_by: 'alice' } },
        });
      });

      it('fails the state with the error SendTaskFailure gives, so a matching Catch handles it', async () => {
        const { executionId } = await wf.start('approval', 'job-reject', { job_id: 'job-reject' });
        const request = await approvalFor('job-reject');
        await wf.sendTaskFailure(request.task_token, 'Approval.Rejected', 'not during business hours');
        const done = await untilFinished(wf, executionId);
        expect(done).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'rejected', reason: 'not during business hours' } });
        expect(fns.callsOf('test-apply')).toEqual([]);
      });

      it('fails the execution with that error and cause when no Catch matches it', async () => {
        const { executionId } = await wf.start('approval', 'job-broken', { job_id: 'job-broken' });
        const request = await approvalFor('job-broken');
        await wf.sendTaskFailure(request.task_token, 'Approval.Expired', 'nobody answered');
        const done = await untilFinished(wf, executionId);
        expect(done).toMatchObject({ status: 'FAILED', error: 'Approval.Expired', cause: 'nobody answered' });
      });

      it('refuses a spent token and an unknown one with TaskTokenInvalidError', async () => {
        const { executionId } = await wf.start('approval', 'job-spent', { job_id: 'job-spent' });
        const request = await approvalFor('job-spent');
        await wf.sendTaskSuccess(request.task_token, { approved_by: 'bob' });
        await expect(wf.sendTaskSuccess(request.task_token, { approved_by: 'eve' })).rejects.toBeInstanceOf(TaskTokenInvalidError);
        await expect(wf.sendTaskFailure(request.task_token, 'Too.Late')).rejects.toBeInstanceOf(TaskTokenInvalidError);
        await expect(wf.sendTaskSuccess('no-such-token', {})).rejects.toBeInstanceOf(TaskTokenInvalidError);
        const done = await untilFinished(wf, executionId);
        expect(done.output).toMatchObject({ approval: { approved_by: 'bob' } });
      });

      it('gives executions waiting at the same time their own tokens, each answering its own execution', async () => {
        const one = await wf.start('approval', 'job-one', { job_id: 'job-one' });
        const two = await wf.start('approval', 'job-two', { job_id: 'job-two' });
        const [r1, r2] = await Promise.all([approvalFor('job-one'), approvalFor('job-two')]);
        expect(r1.task_token).not.toBe(r2.task_token);

        await wf.sendTaskSuccess(r2.task_token, { approved_by: 'carol' });
        expect((await untilFinished(wf, two.executionId)).output).toMatchObject({ approval: { approved_by: 'carol' } });
        expect((await wf.describe(one.executionId)).status).toBe('RUNNING');
        await wf.sendTaskSuccess(r1.task_token, { approved_by: 'dave' });
        expect((await untilFinished(wf, one.executionId)).output).toMatchObject({ approval: { approved_by: 'dave' } });
      });
    });

    describe('stop', () => {
      it('aborts an execution waiting for a token: ABORTED with error and cause, token dead, next task never runs', async () => {
        const { executionId } = await wf.start('approval', 'job-cancel', { job_id: 'job-cancel' });
        const request = await approvalFor('job-cancel');
        await wf.stop(executionId, { error: 'Job.Cancelled', cause: 'cancelled by operator' });
        const stopped = await untilFinished(wf, executionId);
        expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Job.Cancelled', cause: 'cancelled by operator' });
        expect(stopped.stoppedAt).toBeGreaterThanOrEqual(stopped.startedAt);
        await expect(wf.sendTaskSuccess(request.task_token, { approved_by: 'alice' })).rejects.toBeInstanceOf(TaskTokenInvalidError);
        await settle();
        expect(fns.callsOf('test-apply')).toEqual([]);
        expect((await wf.describe(executionId)).status).toBe('ABORTED');
      });

      it('aborts an execution in a long Wait; the state after it never runs', async () => {
        const { executionId } = await wf.start('long-wait', 'job-wait', { job_id: 'job-wait' });
        await eventually(() => (fns.callsOf('test-record-step').length > 0 ? true : undefined), 'the first task');
        await wf.stop(executionId);
        expect((await untilFinished(wf, executionId)).status).toBe('ABORTED');
        await settle();
        expect(fns.callsOf('test-record-step').map((p) => p.step)).toEqual(['prepare']);
      });

      it('is harmless for a finished execution', async () => {
        const { executionId } = await wf.start('two-steps', 'job-finished', { request: { id: 'r-7' } });
        const done = await untilFinished(wf, executionId);
        await wf.stop(executionId, { error: 'Job.Cancelled' });
        await wf.stop(executionId);
        expect(await wf.describe(executionId)).toEqual(done);
      });
    });

    describe('unknown executions', () => {
      it('throws ExecutionNotFoundError from describe and stop', async () => {
        const known = await wf.start('two-steps', 'job-known', { request: { id: 'r-8' } });
        const unknown = known.executionId.replace(/job-known$/, 'job-unknown');
        await expect(wf.describe(unknown)).rejects.toBeInstanceOf(ExecutionNotFoundError);
        await expect(wf.describe('not-an-execution')).rejects.toBeInstanceOf(ExecutionNotFoundError);
        await expect(wf.stop(unknown)).rejects.toBeInstanceOf(ExecutionNotFoundError);
        await untilFinished(wf, known.executionId);
      });
    });

    describe('Map', () => {
      it('never runs more items at once than MaxConcurrency, and keeps results in item order', async () => {
        fns.holdTargets = true;
        const targets = ['t1', 't2', 't3', 't4', 't5'];
        const { executionId } = await wf.start('fan-out', 'job-fan-out', { targets });
        for (let released = 0; released < targets.length; released++) {
          const next = await eventually(() => fns.held[0], 'a held Map item');
          await settle(); // the engine gets every chance to start a third item here
          expect(fns.inFlight).toBeLessThanOrEqual(2);
          fns.held.shift();
          next.release();
        }
        const done = await untilFinished(wf, executionId);
        expect(done.status).toBe('SUCCEEDED');
        expect(done.output).toEqual({ targets, results: targets.map((target) => ({ target, processed: true })) });
        expect(fns.maxInFlight).toBe(2);
      });
    });
  });
}
