import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { JOB_TYPES } from '../../shared/catalog/job-types';
import { WORKFLOWS } from '../../shared/catalog/workflows';
import { isFinished } from '../../shared/domain/job';
import { jobs, listSteps } from '../../shared/records/jobs';
import { assertKillSwitchOff } from '../../shared/usecases/jobs/common';
import { JOB_STEP_ACTIONS, withStep } from '../../shared/usecases/jobs/steps';

/**
 * A job type for the engine's own tests, plugged in exactly as real types are: a state machine with an
 * optional approval and operator pause, and one side-effecting step per target that writes to a ledger
 * file (the stand-in for "talked to a device"). The ledger lets tests prove what ran and what did not.
 */
export const ENGINE_TEST = 'engine_test';
export const ENGINE_TEST_FRAGILE = 'engine_test_fragile';

const Params = z.strictObject({
  pause: z.boolean().optional(),
  /**
   * Milliseconds each target's work takes before its side effect, by target id (default 0). Only the first
   * execution waits: after a restart the work is quick, so crash tests need not sit out the delay.
   */
  delays: z.record(z.string(), z.number().int().min(0)).default({}),
  fail_targets: z.array(z.string()).default([]),
});

export type LedgerEntry = { job_id: string; target_id: string; at: number };

export function registerEngineTestJob(ledgerFile: string): void {
  const base = {
    description: 'engine test job',
    params: Params,
    targetKinds: ['site' as const],
    workflow: 'engine-test',
    resumeActions: ['continue', 'skip_work'],
    maxRuntimeMinutes: 5,
    retryFailedTargetsOnly: true,
  };
  JOB_TYPES[ENGINE_TEST] = { ...base, name: ENGINE_TEST, resumableAfterCrash: true };
  JOB_TYPES[ENGINE_TEST_FRAGILE] = { ...base, name: ENGINE_TEST_FRAGILE, resumableAfterCrash: false };
  WORKFLOWS['engine-test'] = {
    file: fileURLToPath(new URL('../fixtures/job-types/engine-test.asl.json', import.meta.url)),
    tasks: { JobStepFunctionArn: 'step-job' },
    description: 'engine test',
  };
  JOB_STEP_ACTIONS.test_work = async (deps, p) => {
    const jobId = String(p.job_id);
    const targetId = String(p.target_id);
    const job = await jobs.get(deps.store, jobId);
    const params = Params.parse(job.params);
    // Resuming after a restart: work already done is not done again (the real types' rule too).
    const done = (await listSteps(deps.store, jobId)).find((s) => s.target_id === targetId && s.status === 'succeeded');
    if (done) return { target_id: targetId, ok: true };
    return withStep(
      deps,
      job,
      'Work on target',
      async () => {
        // The slow part comes first, like a long read before a device action; the checks come right before acting.
        await new Promise((r) => setTimeout(r, job.execution_attempt === 1 ? (params.delays[targetId] ?? 0) : 0));
        await assertKillSwitchOff(deps);
        if (isFinished((await jobs.get(deps.store, jobId)).status)) return { result: { target_id: targetId, ok: false }, status: 'cancelled' };
        appendFileSync(ledgerFile, `${JSON.stringify({ job_id: jobId, target_id: targetId, at: Date.now() })}\n`);
        const ok = !params.fail_targets.includes(targetId);
        return { result: { target_id: targetId, ok }, status: ok ? 'succeeded' : 'failed', error: ok ? undefined : 'test failure' };
      },
      targetId,
    );
  };
}

export function readLedger(file: string): LedgerEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LedgerEntry);
}
