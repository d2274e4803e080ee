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

/** "Record server outcome": the server's firmware and, for a host, how its maintenance ended (its ledger). */
export async function serverDone(ctx: StepContext, targetId: string): Promise<ServerOutcome> {
  const s = await serverCtx(ctx, targetId);
  const ledger = s.target.kind === 'host' ? await ledgerOf(ctx.deps, ctx.job, targetId) : undefined;
  const hostFailure = ledger?.phase === 'failed' ? `host maintenance failed: ${ledger.error ?? 'see the host in the result'}` : undefined;
  if (s.target.phase === 'failed' || hostFailure) {
    await changeTarget(ctx.deps, s.target, (t) => ({ phase: 'failed', error: t.error ?? hostFailure }));
    await withdrawStaged(ctx.deps, ctx.job, targetId);
    return { target_id: targetId, ok: false };
  }
  const skipped = ledger?.phase === 'skipped';
  await changeTarget(ctx.deps, s.target, (t) => ({
    phase: skipped ? 'skipped' : 'done',
    notes: skipped ? [...t.notes, 'skipped by an operator during host maintenance: not updated'] : t.notes,
  }));
  return { target_id: targetId, ok: true };
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
