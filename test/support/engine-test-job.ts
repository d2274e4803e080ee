/**
 * A job type for the engine's own tests, plugged in exactly as real types are: a state machine with an
 * optional approval and operator pause, and one side-effecting step per target that writes to a ledger
 * file (the stand-in for "talked to a device"). The ledger lets tests prove what ran and what did not.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { JOB_TYPES } from '../../shared/catalog/job-types';
import { jobWorkflow, WORKFLOWS } from '../../shared/catalog/workflows';
import { isFinished } from '../../shared/domain/job';
import { type JobType, stepAction } from '../../shared/jobs/job-type';
import { existingTargets } from '../../shared/jobs/targets';
import { jobs } from '../../shared/records/jobs';

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

/** The type's state machine (absolute path: it lives with the test fixtures, not under statemachines/). */
export const ENGINE_TEST_ASL = fileURLToPath(new URL('../fixtures/job-types/engine-test.asl.json', import.meta.url));

export type LedgerEntry = { job_id: string; target_id: string; at: number };

/** The type's one action: work on a target, recorded in the ledger unless the job ended or the kill switch is on. */
const testWork = (ledgerFile: string) =>
  stepAction(z.object({ target_id: z.string().min(1) }), (ctx, { target_id }) => {
    const params = Params.parse(ctx.job.params);
    return ctx.targetStep('Work on target', target_id, async () => {
      // The slow part comes first, like a long read before a device action; the checks come right before acting.
      await new Promise((r) => setTimeout(r, ctx.job.execution_attempt === 1 ? (params.delays[target_id] ?? 0) : 0));
      await ctx.assertKillSwitchOff();
      if (isFinished((await jobs.get(ctx.deps.store, ctx.job.id)).status)) return { ok: false, status: 'cancelled' };
      appendFileSync(ledgerFile, `${JSON.stringify({ job_id: ctx.job.id, target_id, at: Date.now() })}\n`);
      const ok = !params.fail_targets.includes(target_id);
      return { ok, error: ok ? undefined : 'test failure' };
    });
  });

/** The engine test type under `name`; `resumableAfterCrash` tells the two apart in crash tests. */
const engineTestJob = (name: string, resumableAfterCrash: boolean, actions: JobType['actions']): JobType => ({
  name,
  description: 'engine test job',
  params: Params,
  resolveTargets: existingTargets(['site']),
  workflow: 'engine-test',
  actions,
  resumeActions: ['continue', 'skip_work'],
  maxRuntimeMinutes: 5,
  resumableAfterCrash,
  retryFailedTargetsOnly: true,
});

/** Plugs the engine test types in as a real type is: a catalog row per type and one for their workflow. */
export function registerEngineTestJob(ledgerFile: string): void {
  // Both types run one state machine, so they share its actions.
  const actions = { test_work: testWork(ledgerFile) };
  JOB_TYPES[ENGINE_TEST] = engineTestJob(ENGINE_TEST, true, actions);
  JOB_TYPES[ENGINE_TEST_FRAGILE] = engineTestJob(ENGINE_TEST_FRAGILE, false, actions);
  WORKFLOWS['engine-test'] = jobWorkflow(ENGINE_TEST_ASL, 'engine test');
}

export function readLedger(file: string): LedgerEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LedgerEntry);
}
