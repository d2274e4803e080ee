/**
 * Secrets Manager's rotation of a service identity's secret (its schedule, or "Rotate secret immediately"): one
 * call per step — createSecret, setSecret, testSecret, finishSecret — each running the same steps of the same
 * rotation record as `POST /service-identities/{id}/rotate` (credential-rotation-run.ts). The ClientRequestToken
 * is the pending version's id (AWSPENDING) and names the rotation, so a step Secrets Manager retries finds the
 * work already done and carries on. One rotation at a time per identity holds across both ways of starting one.
 */
import type { CredentialRotation, RotationStatus } from '../domain/credential-rotation';
import { ConflictError, NotFoundError } from '../domain/errors';
import { credentialRotations } from '../records/credential-rotations';
import { serviceIdentities } from '../records/service-identities';
import { openCredentialRotation, type RotationDeps } from './credential-rotation';
import { runCredentialRotation } from './credential-rotation-run';

export const SECRET_ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type SecretRotationStep = (typeof SECRET_ROTATION_STEPS)[number];

/** The last status each step completes. */
const THROUGH: Record<SecretRotationStep, RotationStatus> = {
  createSecret: 'pending',
  setSecret: 'setting',
  testSecret: 'testing',
  finishSecret: 'finishing',
};

/** Who the rotation record says asked for it. */
export const SECRETS_MANAGER_ACTOR = 'secrets-manager';

/** A rotation Secrets Manager started is named after its token, so every step (and every retry) finds it. */
export const rotationIdOf = (token: string) => `rot-sm-${token.toLowerCase()}`;

export type SecretRotationRequest = { secretId: string; token: string; step: SecretRotationStep };

/**
 * Runs one step. Throws when the rotation rolled back or failed (Secrets Manager then records the rotation as
 * failed; the rotation record lists each target's outcome) or when another rotation of the identity runs (409).
 */
export async function runSecretRotationStep(deps: RotationDeps, request: SecretRotationRequest): Promise<CredentialRotation> {
  const ref = await deps.secrets.refOf(request.secretId);
  const identityId = ref.split('/')[0] ?? '';
  const identity = await serviceIdentities.find(deps.store, identityId);
  // A secret an identity no longer uses (replaced by a supplied one, being deleted) has nothing to rotate.
  if (!identity || identity.secret_ref !== ref) throw new NotFoundError('service identity using secret', ref);
  const id = rotationIdOf(request.token);
  let rotation = await credentialRotations.find(deps.store, id);
  if (!rotation) {
    if (request.step !== 'createSecret')
      throw new NotFoundError('credential rotation', `${id} (Secrets Manager asked for ${request.step} before createSecret)`);
    rotation = await openCredentialRotation(deps, identity.id, SECRETS_MANAGER_ACTOR, { id, secretVersionId: request.token });
  }
  const after = await runCredentialRotation(deps, rotation.id, THROUGH[request.step]);
  if (after.status === 'rolled_back' || after.status === 'failed')
    throw new ConflictError(`Credential rotation ${after.id} ${after.status === 'failed' ? 'failed' : 'rolled back'}: ${after.reason}`, {
      rotation_id: after.id,
      status: after.status,
    });
  return after;
}
