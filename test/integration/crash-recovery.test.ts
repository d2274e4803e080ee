import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { localExecutionArn } from '../../shared/adapters/workflows/local-workflows';
import { ExecutionNotFoundError } from '../../shared/ports/workflows';
import { jobs } from '../../shared/records/jobs';
import { dispatchJob } from '../../shared/usecases/jobs/dispatch';
import { reconcileJobs } from '../../shared/usecases/jobs/reconcile';
import { ENGINE_TEST, ENGINE_TEST_FRAGILE, readLedger, registerEngineTestJob } from '../support/engine-test-job';
import { type Harness, startHarness } from '../support/harness';
import { startStackProcess, stopStackProcesses } from '../support/stack-process';
import { waitFor } from '../support/wait';

const dataDir = mkdtempSync(join(tmpdir(), 'eio-crash-'));
const ledger = join(dataDir, 'ledger.jsonl');
registerEngineTestJob(ledger);

let harness: Harness | undefined;
afterEach(stopStackProcesses);
afterAll(async () => {
  await harness?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a process that dies mid-job', () => {
  it('leaves no job running forever: idempotent types resume from the last completed step, others fail as interrupted', async () => {
    const stack = await startStackProcess(dataDir);
    const { call } = stack;
    for (const id of ['site-a', 'site-b']) expect((await call('POST', '/api/v1/sites', { id, name: id })).status).toBe(201);
    const resumable = (
      await call('POST', '/api/v1/jobs', { type: ENGINE_TEST, target_ids: ['site-a', 'site-b'], params: { delays: { 'site-b': 60_000 } } })
    ).body.id;
    const fragile = (
      await call('POST', '/api/v1/jobs', { type: ENGINE_TEST_FRAGILE, target_ids: ['site-a'], params: { delays: { 'site-a': 60_000 } } })
    ).body.id;
    const stepsOf = async (id: string) => (await call('GET', `/api/v1/jobs/${id}`)).body.steps as { target_id?: string; status: string }[];
    await waitFor('site-a done and site-b in progress', async () => {
      const s = await stepsOf(resumable);
      const a = s.find((x) => x.target_id === 'site-a');
      const b = s.find((x) => x.target_id === 'site-b');
      return a?.status === 'succeeded' && b?.status === 'running' ? true : undefined;
    });
    await waitFor('the fragile job at work', async () =>
      (await stepsOf(fragile)).some((x) => x.target_id === 'site-a' && x.status === 'running') ? true : undefined,
    );

    await stack.kill();

    harness = await startHarness({ dataDir });
    const get = async (id: string) => (await harness!.call('GET', `/api/v1/jobs/${id}`, { role: 'viewer' })).body;
    const resumed = await waitFor('the resumable job to finish', async () => {
      const j = await get(resumable);
      return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
    });
    expect(resumed.status).toBe('succeeded');
    expect(resumed.execution_attempt).toBe(2);
    const failed = await get(fragile);
    expect(failed.status).toBe('failed');
    expect(failed.status_reason).toMatch(/^interrupted/);

    const worked = readLedger(ledger)
      .filter((e) => e.job_id === resumable)
      .map((e) => e.target_id);
    expect(worked.sort()).toEqual(['site-a', 'site-b']); // site-a not redone, site-b done once after the restart
    expect(readLedger(ledger).filter((e) => e.job_id === fragile)).toEqual([]);
    // No step stays running: the dead attempt's ones ended interrupted, the resumed attempt did site-b anew.
    const siteB = resumed.steps.filter((s: { target_id?: string }) => s.target_id === 'site-b').map((s: { status: string }) => s.status);
    expect(siteB.sort()).toEqual(['interrupted', 'succeeded']);
    expect(failed.steps.filter((s: { target_id?: string }) => s.target_id === 'site-a')).toEqual([
      expect.objectContaining({ status: 'interrupted', error: expect.stringMatching(/process running this step stopped/) }),
    ]);
    for (const j of [resumed, failed]) expect(j.steps.filter((s: { status: string }) => s.status === 'running')).toEqual([]);
  });

  it('a dispatch message delivered again after the crash does not start the lost execution afresh', async () => {
    // Made deterministic: the crash above only sometimes leaves the dispatch message undeleted, and whether
    // it is served before the restart's reconciliation is a race.
    const h = harness!;
    expect((await h.call('POST', '/api/v1/system/scheduler/pause', { role: 'operator', body: { reason: 'crash test' } })).status).toBe(200);
    const created = await h.call('POST', '/api/v1/jobs', { role: 'operator', body: { type: ENGINE_TEST_FRAGILE, target_ids: ['site-a'] } });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    const deps = h.stack.deps;
    // As a process that died left it: running, its first execution started there and gone with it.
    const lost = localExecutionArn('engine-test', id);
    await jobs.update(deps.store, id, (j) => ({ ...j, status: 'running', execution_id: lost }));

    expect(await dispatchJob(deps, id)).toBe('left_to_reconcile');
    await expect(deps.workflows.describe(lost)).rejects.toBeInstanceOf(ExecutionNotFoundError);
    expect((await reconcileJobs(deps)).failed).toEqual([id]);
    const job = (await h.call('GET', `/api/v1/jobs/${id}`, { role: 'viewer' })).body;
    expect(job.status).toBe('failed');
    expect(job.status_reason).toMatch(/^interrupted/);
    expect(await dispatchJob(deps, id)).toBe('skipped');
    expect(readLedger(ledger).filter((e) => e.job_id === id)).toEqual([]);
  });

  it('names the execution on the job before starting it, so no crash leaves a started execution the job does not name', async () => {
    const h = harness!;
    const deps = h.stack.deps;
    const namedAtStart: (string | undefined)[] = [];
    const start = deps.workflows.start.bind(deps.workflows);
    deps.workflows.start = async (workflow, name, input) => {
      namedAtStart.push((await jobs.get(deps.store, (input as { job_id: string }).job_id)).execution_id);
      return start(workflow, name, input);
    };
    try {
      expect((await h.call('POST', '/api/v1/system/scheduler/resume', { role: 'operator', body: {} })).status).toBe(200);
      const id = (await h.call('POST', '/api/v1/jobs', { role: 'operator', body: { type: ENGINE_TEST, target_ids: ['site-b'] } })).body
        .id as string;
      const done = await waitFor('the job to finish', async () => {
        const j = (await h.call('GET', `/api/v1/jobs/${id}`, { role: 'viewer' })).body;
        return j.status === 'succeeded' ? j : undefined;
      });
      expect(namedAtStart).toEqual([done.execution_id]);
      expect(done.execution_id).toBe(localExecutionArn('engine-test', id));
    } finally {
      deps.workflows.start = start;
    }
  });
});
