/**
 * A server's end in a firmware_update job: "Record server outcome" after its last step, "Record server
 * failure" when a step failed. A failed server gives back what it staged (withdraw.ts) before the rollout goes
 * on, so nothing EIO staged applies at an unplanned reboot; the rollout guard counts it against the budget.
 */
import type { StepContext } from '../../jobs/job-type';
import { causeMessage } from '../jobs/engine-actions';
import { ledgerOf } from '../maintenance/ledger';
import { hostFailed } from '../maintenance/operator-actions';
import { changeTarget, serverCtx } from './server-context';
import { withdrawStaged } from './withdraw';

export type ServerOutcome = { target_id: string; ok: boolean };

export async function serverDone(ctx: StepContext, targetId: string, probe?: { ok: boolean }): Promise<ServerOutcome> {
  const s = await serverCtx(ctx, targetId);
  const { target } = s;
  const skipped = target.kind === 'host' && (await ledgerOf(ctx.deps, ctx.job, targetId)).phase === 'skipped';
  if (target.phase === 'failed') {
    await withdrawStaged(ctx.deps, ctx.job, targetId);
    return { target_id: targetId, ok: false };
  }
  const ok = probe?.ok ?? true;
  await changeTarget(ctx.deps, target, (t) => ({
    phase: skipped ? 'skipped' : ok ? 'done' : t.phase,
    notes: skipped ? [...t.notes, 'skipped by an operator during host maintenance: not updated'] : t.notes,
  }));
  return { target_id: targetId, ok };
}

export async function serverFailed(ctx: StepContext, targetId: string, error: { Error?: string; Cause?: string }): Promise<ServerOutcome> {
  const s = await serverCtx(ctx, targetId);
  if (s.target.kind === 'host') await hostFailed(ctx, targetId, error);
  await changeTarget(ctx.deps, s.target, (t) => ({
    phase: t.phase === 'done' ? t.phase : 'failed',
    error: t.error ?? `${error.Error ?? 'Error'}: ${causeMessage(error.Cause)}`,
  }));
  await withdrawStaged(ctx.deps, ctx.job, targetId);
  return { target_id: targetId, ok: false };
}
