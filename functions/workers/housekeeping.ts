/**
 * Consumes the housekeeping schedule's messages. Every message triggers one full sweep (housekeeping, the
 * iDRAC tally, the key metrics, a notification when health turns critical, a share of an unfinished record
 * migration), so a batch needs only one; a failure leaves the whole batch for redelivery (the sweep is idempotent).
 */
import { deps } from '../../shared/container';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { resumeCredentialRotations, STALE_ROTATION_MS } from '../../shared/usecases/credential-rotation';
import { reconcileDellStatusTally } from '../../shared/usecases/dell-endpoints';
import { watchHealth } from '../../shared/usecases/health-alerts';
import { runHousekeeping } from '../../shared/usecases/jobs/housekeeping';
import { publishOperationalMetrics } from '../../shared/usecases/operational-metrics';
import { migrateRecords } from '../../shared/usecases/record-migration';

// After a deploy that changed a record shape, each sweep migrates for this long (the pass carries on next time).
const MIGRATION_BUDGET_MS = 20_000;

export const handler = lambdaFunction(
  async () => {
    const d = await deps();
    await runHousekeeping(d);
    await reconcileDellStatusTally(d);
    await resumeCredentialRotations(d, STALE_ROTATION_MS);
    await publishOperationalMetrics(d);
    await watchHealth(d);
    await migrateRecords(d, { onlyIfChanged: true, deadline: d.clock.now() + MIGRATION_BUDGET_MS });
  },
  { logContext: () => ({ correlation_id: 'housekeeping' }) },
);
