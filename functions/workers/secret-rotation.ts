/**
 * Secrets Manager's rotation function for the service-identity secrets: the event names the secret, the version
 * being made (ClientRequestToken, AWSPENDING) and the step; the step runs the credential rotation's own steps.
 * A throw tells Secrets Manager the step failed (it retries the rotation; every step is safe to repeat).
 */
import { z } from 'zod';
import { deps } from '../../shared/container';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { runSecretRotationStep, SECRET_ROTATION_STEPS, SECRETS_MANAGER_ACTOR } from '../../shared/usecases/secret-rotation-steps';

const RotationEvent = z.object({
  SecretId: z.string().min(1),
  ClientRequestToken: z.string().min(32).max(64),
  Step: z.enum(SECRET_ROTATION_STEPS),
});

export const handler = lambdaFunction(
  async (event: unknown) => {
    const e = RotationEvent.parse(event);
    const rotation = await runSecretRotationStep(await deps(), { secretId: e.SecretId, token: e.ClientRequestToken, step: e.Step });
    return { rotation_id: rotation.id, status: rotation.status };
  },
  // The token ties together the four invocations of one rotation in the logs.
  {
    logContext: (event) => ({
      correlation_id: (event as { ClientRequestToken?: string }).ClientRequestToken,
      actor: SECRETS_MANAGER_ACTOR,
    }),
  },
);
