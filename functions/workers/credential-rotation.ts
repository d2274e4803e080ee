import { deps } from '../../shared/container';
import { runCredentialRotation } from '../../shared/usecases/credential-rotation-run';
import { poolWorker } from './pool-worker';

/**
 * One record = carry one credential rotation on from the step its record names. Device refusals end in a
 * rollback recorded on the rotation, not a throw; only infrastructure errors leave the record for redelivery,
 * and the next delivery resumes from the last step written.
 */
export const handler = poolWorker('credentials', async (msg) => {
  await runCredentialRotation(await deps(), msg.rotation_id);
});
