/**
 * Credential rotation with a generated password (`POST /service-identities/{id}/rotate` without a body), in the
 * steps of a Secrets Manager rotation function: createSecret (a pending version beside the current one),
 * setSecret on each target (the canary first, tested alone before any other target is touched), testSecret on
 * each target (the pending password is accepted, the current one refused), finishSecret (pending becomes
 * current). A target that refuses sends the rotation into rollback: every target that may have the new password
 * gets the current one back, and the pending version is dropped. This file starts, shows and re-queues
 * rotations; credential-rotation-run.ts runs one, on the `credentials` worker pool.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { sendToPool } from '../catalog/messages';
import type { CredentialRotation } from '../domain/credential-rotation';
import type { DellEndpoint } from '../domain/dell-endpoint';
import { ConflictError, NotFoundError } from '../domain/errors';
import { newId } from '../domain/ids';
import { logger } from '../observability/logger';
import { isoNow } from '../ports/clock';
import { recordAudit } from '../records/audit';
import { credentialRotations } from '../records/credential-rotations';
import { dellEndpoints, endpointsOfSite } from '../records/dell-endpoints';
import { references } from '../records/references';
import { serviceIdentities, serviceIdentityRef } from '../records/service-identities';
import { sites } from '../records/sites';
import type { Deps } from './deps';
import { assertKillSwitchOff } from './jobs/common';

export type RotationDeps = Pick<Deps, 'store' | 'secrets' | 'clock' | 'idrac' | 'queue'>;

/**
 * vim25 (the SOAP API EIO speaks) can change only an ESXi host's local accounts (HostLocalAccountManager); an SSO
 * user's password lives in vCenter's SSO admin service, which EIO does not reach. Say what to do instead.
 */
export const VCENTER_BY_HAND = [
  'Change the password in vCenter yourself: vSphere Client → Administration → Single Sign On → Users and Groups ' +
    '(or `dir-cli password reset` on the appliance)',
  'Then record it in EIO: POST /api/v1/service-identities/{id}/rotate with {"secret": "<the new password>"}',
  'Then check it: GET /api/v1/service-identities/{id}/verify',
];

/** If a housekeeping pass finds an unfinished rotation untouched this long, its worker died: queue it again. */
export const STALE_ROTATION_MS = 20 * 60_000;

/**
 * 20 characters (iDRAC8's maximum) from letters, digits and a few symbols every iDRAC accepts, with at least one
 * of each kind for password policies: about 120 bits.
 */
const PASSWORD_KINDS = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '-_.!#%+'];
export function generatePassword(length = 20): string {
  const all = PASSWORD_KINDS.join('');
  const pick = (set: string) => set[randomInt(set.length)] as string;
  const chars = PASSWORD_KINDS.map(pick);
  while (chars.length < length) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

/** The iDRAC endpoints that use the identity: their own, or through their site's default. */
async function endpointsUsing(deps: Pick<Deps, 'store'>, identityId: string): Promise<DellEndpoint[]> {
  const found = new Map<string, DellEndpoint>();
  const ref = serviceIdentityRef(identityId);
  for await (const id of references.of(deps.store, ref, 'IDRAC')) {
    const ep = await dellEndpoints.find(deps.store, id);
    if (ep?.service_identity_id === identityId) found.set(ep.id, ep);
  }
  for await (const siteId of references.of(deps.store, ref, 'SITE')) {
    const site = await sites.find(deps.store, siteId);
    if (site?.idrac_service_identity_id !== identityId) continue;
    for (const ep of await endpointsOfSite(deps.store, siteId)) if (!ep.service_identity_id) found.set(ep.id, ep);
  }
  return [...found.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** Starts a rotation (one at a time per identity) and hands it to the `credentials` pool. */
export async function startCredentialRotation(deps: RotationDeps, identityId: string, actor: string): Promise<CredentialRotation> {
  const rotation = await openCredentialRotation(deps, identityId, actor, {
    id: newId('credential_rotation', deps.clock.now()),
    secretVersionId: randomUUID(),
  });
  await sendToPool(deps.queue, 'credentials', [{ message: { rotation_id: rotation.id } }]);
  return rotation;
}

/**
 * Writes a new rotation of the identity, step `pending`, and makes it the identity's one running rotation (409
 * while another runs); whoever opened it runs its steps (the `credentials` pool, or Secrets Manager step by step).
 */
export async function openCredentialRotation(
  deps: RotationDeps,
  identityId: string,
  actor: string,
  names: { id: string; secretVersionId: string },
): Promise<CredentialRotation> {
  await assertKillSwitchOff(deps);
  const identity = await serviceIdentities.get(deps.store, identityId);
  if (identity.target_kind === 'vcenter')
    throw new ConflictError(`EIO cannot set a new password for a vCenter SSO user: vSphere's API has no call for it. Nothing was changed`, {
      manual_steps: VCENTER_BY_HAND.map((s) => s.replace('{id}', identityId)),
    });
  await credentialRotations.refuseWhileRunning(deps.store, identity);
  const endpoints = await endpointsUsing(deps, identityId);
  if (!endpoints.length)
    throw new ConflictError(`No iDRAC endpoint uses service identity '${identityId}': there is nothing to set a new password on`);
  // The canary: a reachable endpoint if there is one, so a refusal there is about the password, not the network.
  const canary = endpoints.find((ep) => ep.status === 'reachable') ?? endpoints[0]!;
  const now = isoNow(deps.clock);
  const rotation: CredentialRotation = {
    id: names.id,
    service_identity_id: identityId,
    status: 'pending',
    secret_version_id: names.secretVersionId,
    targets: endpoints.map((ep) => ({ id: ep.id, address: ep.address, canary: ep.id === canary.id, state: 'waiting' })),
    requested_by: actor,
    created_at: now,
    updated_at: now,
    version: 1,
  };
  // The identity names its rotation first, conditional on the version read: of two rotations started at once, one gets 409.
  await serviceIdentities.replace(deps.store, { ...identity, rotation_id: rotation.id, version: identity.version + 1 });
  await credentialRotations.create(deps.store, rotation);
  await recordAudit(deps.store, {
    subject_id: identityId,
    action: 'credential.rotation_started',
    at: now,
    detail: { rotation_id: rotation.id, targets: rotation.targets.map((t) => t.id) },
  });
  return rotation;
}

/** One rotation of one identity (404 when the rotation belongs to another). */
export async function getCredentialRotation(
  deps: Pick<Deps, 'store'>,
  identityId: string,
  rotationId: string,
): Promise<CredentialRotation> {
  const rotation = await credentialRotations.find(deps.store, rotationId);
  if (!rotation || rotation.service_identity_id !== identityId) throw new NotFoundError('credential rotation', rotationId);
  return rotation;
}

/** Queues every unfinished rotation untouched for `idleMs` again (0 at a local restart: its workers died with it). */
export async function resumeCredentialRotations(deps: Pick<Deps, 'store' | 'queue' | 'clock'>, idleMs: number): Promise<string[]> {
  const resumed: string[] = [];
  for await (const rotation of credentialRotations.unfinished(deps.store)) {
    if (deps.clock.now() - Date.parse(rotation.updated_at) < idleMs) continue;
    await sendToPool(deps.queue, 'credentials', [{ message: { rotation_id: rotation.id } }]);
    resumed.push(rotation.id);
  }
  if (resumed.length) logger.info('Credential rotations queued again', { rotation_ids: resumed });
  return resumed;
}
