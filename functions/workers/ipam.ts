import type { SQSEvent } from 'aws-lambda';
import { parsePoolMessage } from '../../shared/catalog/messages';
import { deps } from '../../shared/container';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { runIpamReconciliation } from '../../shared/usecases/ipam-reconciliation';
import { heldByPausedScheduler } from '../../shared/usecases/scheduled-work';

/**
 * Consumes the `ipam` pool: every message asks for one full reconciliation pass, so a batch needs only one;
 * a failure leaves the whole batch for redelivery (the pass is idempotent). A batch of nothing but the
 * schedule's ticks is dropped while the scheduler is paused; a prefix change's request still runs.
 */
export const handler = lambdaFunction(
  async (event: SQSEvent) => {
    const d = await deps();
    const messages = (event.Records ?? []).map((r) => parsePoolMessage('ipam', r.body));
    const held = await Promise.all(messages.map((m) => heldByPausedScheduler(d, m)));
    if (messages.length > 0 && held.every(Boolean)) return;
    await runIpamReconciliation(d);
  },
  { logContext: () => ({ correlation_id: 'ipam-reconciliation' }) },
);
