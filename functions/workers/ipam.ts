import { deps } from '../../shared/container';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { runIpamReconciliation } from '../../shared/usecases/ipam-reconciliation';

/**
 * Consumes the `ipam` pool: every message asks for one full reconciliation pass, so a batch needs only one;
 * a failure leaves the whole batch for redelivery (the pass is idempotent).
 */
export const handler = lambdaFunction(
  async () => {
    await runIpamReconciliation(await deps());
  },
  { logContext: () => ({ correlation_id: 'ipam-reconciliation' }) },
);
