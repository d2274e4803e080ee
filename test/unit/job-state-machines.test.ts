import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aslProblems } from '../../infra/cdk/catalog-checks';
import { REPO_ROOT, STATE_MACHINES_DIR } from '../../infra/cdk/paths';
import { type AslDefinition, type AslState, localSubstitutions, nestedMachines, parseAsl } from '../../shared/adapters/workflows/asl';
import { LocalWorkflows } from '../../shared/adapters/workflows/local-workflows';
import { JOB_TYPES } from '../../shared/catalog/job-types';
import { WORKFLOW_ERRORS } from '../../shared/catalog/workflow-errors';
import { WORKFLOWS } from '../../shared/catalog/workflows';
import type { JobType } from '../../shared/jobs/job-type';
import { ENGINE_ACTIONS } from '../../shared/usecases/jobs/engine-actions';
import { errorsRaisedBy, stepPayloadSchema } from '../../shared/usecases/jobs/steps';
import { ENGINE_TEST_ASL, registerEngineTestJob } from '../support/engine-test-job';
import { waitFor } from '../support/wait';

/**
 * The state machines against the TypeScript that runs their steps: every file keeps the ASL rules (Retry on
 * every Task, error names from WORKFLOW_ERRORS), every job workflow calls only actions that exist, passes
 * what they require and catches what they raise, and the local engine runs them, retries included.
 */
registerEngineTestJob(join(mkdtempSync(join(tmpdir(), 'eio-ledger-')), 'ledger.jsonl'));

/** Every state machine file, relative to the repository root. */
const ASL_FILES = [
  ...readdirSync(STATE_MACHINES_DIR)
    .filter((f) => f.endsWith('.asl.json'))
    .map((f) => join(STATE_MACHINES_DIR, f)),
  ENGINE_TEST_ASL,
].map((f) => relative(REPO_ROOT, f));
const raw = (file: string) => JSON.parse(readFileSync(resolve(REPO_ROOT, file), 'utf8')) as AslDefinition;
const fileOf = (type: JobType) => resolve(STATE_MACHINES_DIR, WORKFLOWS[type.workflow]!.file);

type StepCall = { state: string; action: string; payload: Record<string, unknown>; caught: Set<string> };

/** Each Task state's call of the step function, with the errors it, or a Map or Parallel around it, catches by name. */
function stepCalls(definition: { States: Record<string, AslState> }, inherited = new Set<string>()): StepCall[] {
  return Object.entries(definition.States).flatMap(([state, s]) => {
    const caught = new Set([...inherited, ...((s.Catch as { ErrorEquals: string[] }[] | undefined) ?? []).flatMap((c) => c.ErrorEquals)]);
    const nested = nestedMachines(s).flatMap((m) => stepCalls(m, caught));
    if (s.Type !== 'Task') return nested;
    const params = s.Parameters as Record<string, unknown>;
    const payload = (params.Payload ?? params) as Record<string, unknown>;
    return [{ state, action: String(payload.action), payload, caught }, ...nested];
  });
}

/** How a job type's workflow disagrees with the engine and the type's own actions. */
function jobWorkflowProblems(definition: AslDefinition, type: JobType): string[] {
  const problems: string[] = [];
  const calls = stepCalls(definition);
  for (const { state, action, payload, caught } of calls) {
    const schema = Object.hasOwn(ENGINE_ACTIONS, action) ? ENGINE_ACTIONS[action]!.payload : type.actions[action]?.payload;
    if (!schema) {
      problems.push(`state '${state}' calls '${action}', neither an engine action nor one of ${type.name}'s`);
      continue;
    }
    const passed = new Set(Object.keys(payload).map((k) => k.replace(/\.\$$/, '')));
    const required = Object.entries(schema.shape).filter(([, field]) => !field.safeParse(undefined).success);
    for (const [field] of required.filter(([f]) => !passed.has(f)))
      problems.push(`state '${state}' does not pass '${field}' to '${action}'`);
    const uncaught = errorsRaisedBy(action).filter((e) => !caught.has(e));
    if (uncaught.length) problems.push(`state '${state}' (${action}) does not catch ${uncaught.join(', ')}`);
    // Offered as written; a path (`valid_actions.$`) is offered by the step before it, from the type's own list.
    const offered = action === 'await_operator' && Array.isArray(payload.valid_actions) ? (payload.valid_actions as string[]) : [];
    for (const a of offered.filter((o) => !type.resumeActions.includes(o)))
      problems.push(`state '${state}' offers '${a}', not one of ${type.name}'s resume actions`);
  }
  for (const action of Object.keys(type.actions))
    if (!calls.some((c) => c.action === action)) problems.push(`${type.name}'s action '${action}' is called by no state`);
  return problems;
}

describe('every state machine file', () => {
  it.each(ASL_FILES)('%s retries transient Lambda errors on every Task and names only known errors', (file) => {
    const definition = raw(file);
    expect(aslProblems(definition)).toEqual([]);
    const tasks = stepCalls(definition);
    expect(tasks.length).toBeGreaterThan(0);
  });

  it.each(ASL_FILES)('%s runs on the local engine', async (file) => {
    const text = readFileSync(resolve(REPO_ROOT, file), 'utf8');
    const definition = parseAsl(text, localSubstitutions({ JobStepFunctionArn: 'step-job' }), file);
    const engine = new LocalWorkflows({ workflows: { checked: { definition } }, invoke: async () => ({}) });
    await engine.close();
  });
});

describe('every job type against its state machine', () => {
  it.each(Object.keys(JOB_TYPES))('%s: its workflow calls existing actions, passes their fields and catches what they raise', (name) => {
    const type = JOB_TYPES[name]!;
    expect(type.name).toBe(name);
    expect(WORKFLOWS[type.workflow], `workflow ${type.workflow}`).toBeDefined();
    expect(jobWorkflowProblems(raw(fileOf(type)), type)).toEqual([]);
  });

  it('the step payload union builds over the whole catalog (no action name means two actions)', () => {
    expect(() => stepPayloadSchema()).not.toThrow();
  });

  it('names a workflow that forgets a catch, calls an unknown action or drops a required field', () => {
    const type = JOB_TYPES.health_check!;
    const definition = raw(fileOf(type));
    const map = definition.States['Probe targets'] as unknown as { Catch: { ErrorEquals: string[] }[]; Iterator: AslDefinition };
    map.Catch = map.Catch.filter((c) => !c.ErrorEquals.includes(WORKFLOW_ERRORS.jobNotActive));
    (definition.States['Finish job']!.Parameters as Record<string, unknown>).action = 'finnish';
    delete (map.Iterator.States['Probe target']!.Parameters as Record<string, unknown>)['target_id.$'];
    expect(jobWorkflowProblems(definition, type)).toEqual([
      "state 'Probe target' does not pass 'target_id' to 'probe_target'",
      "state 'Probe target' (probe_target) does not catch JobNotActive",
      "state 'Finish job' calls 'finnish', neither an engine action nor one of health_check's",
    ]);
  });

  it('the approval wait is where rejection and expiry are caught', () => {
    expect(errorsRaisedBy('await_approval')).toEqual([
      WORKFLOW_ERRORS.jobNotActive,
      WORKFLOW_ERRORS.approvalRejected,
      WORKFLOW_ERRORS.approvalExpired,
    ]);
    expect(errorsRaisedBy('probe_target')).toEqual([WORKFLOW_ERRORS.jobNotActive]);
    expect(errorsRaisedBy('fail')).toEqual([]);
  });
});

describe('job-health-check.asl.json on the local engine: a throttled record step is retried', () => {
  const throttled = () => Object.assign(new Error('Rate Exceeded.'), { name: 'Lambda.TooManyRequestsException' });
  let engine: LocalWorkflows | undefined;
  afterEach(async () => {
    await engine?.close();
  });

  /** The health-check workflow with a fake step function: `steps` answers each action, recording the calls. */
  function run(steps: Record<string, (payload: Record<string, unknown>, call: number) => unknown>) {
    const calls: Record<string, unknown>[] = [];
    const text = readFileSync(join(STATE_MACHINES_DIR, 'job-health-check.asl.json'), 'utf8');
    engine = new LocalWorkflows({
      workflows: { 'job-health-check': { definition: parseAsl(text, localSubstitutions({ JobStepFunctionArn: 'step-job' })) } },
      invoke: async (_arn, payload) => {
        const p = payload as Record<string, unknown>;
        calls.push(p);
        const answer = steps[String(p.action)];
        if (!answer) throw new Error(`unexpected action ${String(p.action)}`);
        return answer(p, calls.filter((c) => c.action === p.action).length);
      },
    });
    return { engine, calls };
  }
  const finished = (id: string) =>
    waitFor(`execution ${id} to finish`, async () => {
      const d = await engine!.describe(id);
      return d.status === 'RUNNING' ? undefined : d;
    });

  it('"Record failure": the job is failed after the throttle, and the execution fails with JobFailed', async () => {
    const { calls } = run({
      start: () => {
        throw new Error('the store is unreachable');
      },
      fail: (_p, call) => {
        if (call === 1) throw throttled();
        return { status: 'failed' };
      },
    });
    const { executionId } = await engine!.start('job-health-check', 'job-throttled-fail', { job_id: 'job-throttled-fail' });
    const done = await finished(executionId);
    expect(done).toMatchObject({ status: 'FAILED', error: WORKFLOW_ERRORS.jobFailed });
    expect(calls.filter((c) => c.action === 'fail')).toHaveLength(2);
  });

  it('"Record cancellation": the rejected job is cancelled after the throttle', async () => {
    const tokens: string[] = [];
    const { calls } = run({
      start: () => ({ requires_approval: true, items: [] }),
      await_approval: (p) => {
        tokens.push(String(p.task_token));
        return { approval_id: 'approval-1' };
      },
      cancel: (_p, call) => {
        if (call === 1) throw throttled();
        return { status: 'cancelled' };
      },
    });
    const { executionId } = await engine!.start('job-health-check', 'job-throttled-cancel', { job_id: 'job-throttled-cancel' });
    const token = await waitFor('the approval wait', async () => tokens[0]);
    await engine!.sendTaskFailure(token, WORKFLOW_ERRORS.approvalRejected, 'rejected by bob');
    expect(await finished(executionId)).toMatchObject({ status: 'SUCCEEDED' });
    const cancels = calls.filter((c) => c.action === 'cancel');
    expect(cancels).toHaveLength(2);
    const rejected = { Error: WORKFLOW_ERRORS.approvalRejected, Cause: 'rejected by bob' };
    expect(cancels[1]).toMatchObject({ job_id: 'job-throttled-cancel', error: rejected });
  });
});
