/**
 * Consumes the housekeeping schedule's messages. Every message triggers one full sweep (housekeeping, the
 * iDRAC tally, the key metrics, a notification when health turns critical), so a batch needs only one; a
 * failure leaves the whole batch for redelivery (the sweep is idempotent).
 */
import { deps } from '../../shared/container';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { resumeCredentialRotations, STALE_ROTATION_MS } from '../../shared/usecases/credential-rotation';
import { reconcileDellStatusTally } from '../../shared/usecases/dell-endpoints';
import { watchHealth } from '../../shared/usecases/health-alerts';
import { runHousekeeping } from '../../shared/usecases/jobs/housekeeping';
import { publishOperationalMetrics } from '../../shared/usecases/operational-metrics';

export const handler = lambdaFunction(
  async () => {
    const d = await deps();
    await runHousekeeping(d);
    await reconcileDellStatusTally(d);
    await resumeCredentialRotations(d, STALE_ROTATION_MS);
    await publishOperationalMetrics(d);
    await watchHealth(d);
  },
  { logContext: () => ({ correlation_id: 'housekeeping' }) },
);
