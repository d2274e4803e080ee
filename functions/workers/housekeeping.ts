import { deps } from '../../shared/container';
import { runWithContext } from '../../shared/observability/context';
import { reconcileDellStatusTally } from '../../shared/usecases/dell-endpoints';
import { runHousekeeping } from '../../shared/usecases/jobs/housekeeping';
import { publishOperationalMetrics } from '../../shared/usecases/operational-metrics';

/**
 * Consumes the housekeeping schedule's messages. Every message triggers one full sweep, so a batch needs
 * only one; a failure leaves the whole batch for redelivery (the sweep is idempotent).
 */
export const handler = async () =>
  runWithContext({ correlation_id: 'housekeeping' }, async () => {
    const d = await deps();
    await runHousekeeping(d);
    await reconcileDellStatusTally(d);
    await publishOperationalMetrics(d);
  });
