import { randomBytes } from 'node:crypto';
import { newId } from '../domain/ids';
import {
  publicServiceIdentity,
  type ServiceIdentity,
  type ServiceIdentityCreate,
  type ServiceIdentityUpdate,
  type Verification,
} from '../domain/service-identity';
import { logger } from '../observability/logger';
import { isoNow } from '../ports/clock';
import type { Page } from '../ports/store';
import { type AuditEvent, listAudit, recordAudit } from '../records/audit';
import { credentialRotations } from '../records/credential-rotations';
import { references } from '../records/references';
import { serviceIdentities, serviceIdentityRef } from '../records/service-identities';
import type { Deps } from './deps';

type SiDeps = Pick<Deps, 'store' | 'secrets' | 'clock'>;
export type PublicServiceIdentity = ReturnType<typeof publicServiceIdentity>;

/**
 * Each secret version gets its own reference, so a create that loses an id race or a rotation that loses a
 * version race never overwrites the secret currently in use; the loser deletes its own orphan.
 */
const newSecretRef = (id: string) => `${id}/${randomBytes(6).toString('hex')}`;

export async function createServiceIdentity(deps: SiDeps, input: ServiceIdentityCreate, actor: string): Promise<PublicServiceIdentity> {
  const now = isoNow(deps.clock);
  const id = input.id ?? newId('service_identity', deps.clock.now());
  const secretRef = newSecretRef(id);
  await deps.secrets.put(secretRef, input.secret);
  try {
    if (input.target_kind === 'idrac') await deps.secrets.scheduleRotation(secretRef);
    const si = await serviceIdentities.create(deps.store, {
      id,
      name: input.name,
      description: input.description,
      target_kind: input.target_kind,
      username: input.username,
      secret_ref: secretRef,
      secret_updated_at: now,
      created_at: now,
      updated_at: now,
      created_by: actor,
      version: 1,
    });
    await recordAudit(deps.store, { subject_id: id, action: 'credential.created', at: now, detail: { username: si.username } });
    return publicServiceIdentity(si);
  } catch (e) {
    await deps.secrets.delete(secretRef);
    throw e;
  }
}

export async function getServiceIdentity(deps: SiDeps, id: string): Promise<PublicServiceIdentity> {
  return publicServiceIdentity(await serviceIdentities.get(deps.store, id));
}

export async function listServiceIdentities(deps: SiDeps, page: { limit: number; cursor?: string }): Promise<Page<PublicServiceIdentity>> {
  const result = await serviceIdentities.list(deps.store, page);
  return { items: result.items.map(publicServiceIdentity), cursor: result.cursor };
}

export async function updateServiceIdentity(deps: SiDeps, id: string, change: ServiceIdentityUpdate): Promise<PublicServiceIdentity> {
  const { version, ...fields } = change;
  const now = isoNow(deps.clock);
  const si = await serviceIdentities.update(deps.store, id, (c) => ({ ...c, ...fields, updated_at: now }), version);
  await recordAudit(deps.store, { subject_id: id, action: 'identity.updated', at: now, detail: { fields: Object.keys(fields) } });
  return publicServiceIdentity(si);
}

export async function deleteServiceIdentity(deps: SiDeps, id: string): Promise<void> {
  const si = await serviceIdentities.get(deps.store, id);
  await references.refuseWhileUsed(deps.store, serviceIdentityRef(id), 'point them elsewhere first');
  await serviceIdentities.remove(deps.store, si);
  await deps.secrets.delete(si.secret_ref);
  await recordAudit(deps.store, { subject_id: id, action: 'credential.deleted', at: isoNow(deps.clock) });
}

/**
 * Rotation with a supplied secret records a credential the operator already changed on the target (a vCenter
 * SSO user, or by hand). An iDRAC identity's secret is put on the deployment's rotation schedule (AWS: Secrets
 * Manager calls the rotation function, secret-rotation-steps.ts). Generating one and setting it on the targets is
 * credential-rotation.ts. Refused while such a rotation runs: its finish would overwrite what is recorded here.
 */
export async function rotateServiceIdentity(deps: SiDeps, id: string, secret: string): Promise<PublicServiceIdentity> {
  const current = await serviceIdentities.get(deps.store, id);
  await credentialRotations.refuseWhileRunning(deps.store, current);
  const now = isoNow(deps.clock);
  const secretRef = newSecretRef(id);
  await deps.secrets.put(secretRef, secret);
  let rotated: ServiceIdentity;
  try {
    if (current.target_kind === 'idrac') await deps.secrets.scheduleRotation(secretRef);
    rotated = await serviceIdentities.replace(deps.store, {
      ...current,
      secret_ref: secretRef,
      secret_updated_at: now,
      updated_at: now,
      last_verification: undefined,
      version: current.version + 1,
    });
  } catch (e) {
    await deps.secrets.delete(secretRef);
    throw e;
  }
  await deps.secrets.delete(current.secret_ref);
  await recordAudit(deps.store, { subject_id: id, action: 'credential.rotated', at: now, detail: { mode: 'supplied' } });
  return publicServiceIdentity(rotated);
}

/**
 * The credential as the iDRAC and vCenter clients need it. Every read is an audited use, so
 * `GET /activity` shows who used which credential for what.
 */
export async function useCredential(deps: SiDeps, id: string, purpose: string): Promise<{ identity: ServiceIdentity; secret: string }> {
  const identity = await serviceIdentities.get(deps.store, id);
  const secret = await deps.secrets.get(identity.secret_ref);
  await recordAudit(deps.store, { subject_id: id, action: 'credential.used', at: isoNow(deps.clock), detail: { purpose } });
  return { identity, secret };
}

export async function verifyServiceIdentity(deps: SiDeps & Pick<Deps, 'verifiers'>, id: string): Promise<Verification & { id: string }> {
  const identity = await serviceIdentities.get(deps.store, id);
  const verifier = deps.verifiers[identity.target_kind];
  let outcome: Omit<Verification, 'checked_at'>;
  if (!verifier) {
    outcome = {
      result: 'unavailable',
      message: `Not verified: EIO has no ${identity.target_kind} client yet, so this credential cannot be tried against a target`,
    };
  } else {
    const { secret } = await useCredential(deps, id, 'verify');
    try {
      outcome = await verifier.verify(identity, secret);
    } catch (e) {
      logger.warn('Credential verification failed to run', { service_identity_id: id, error: e as Error });
      outcome = { result: 'unavailable', message: `Could not reach a target to verify: ${(e as Error).message}` };
    }
  }
  const verification: Verification = { ...outcome, checked_at: isoNow(deps.clock) };
  await serviceIdentities.update(deps.store, id, (c) => ({ ...c, last_verification: verification }));
  await recordAudit(deps.store, {
    subject_id: id,
    action: 'credential.verified',
    at: verification.checked_at,
    detail: { result: verification.result, target: verification.target },
  });
  return { id, ...verification };
}

export async function serviceIdentityActivity(
  deps: SiDeps,
  id: string,
  page: { limit: number; cursor?: string },
): Promise<Page<AuditEvent>> {
  await serviceIdentities.get(deps.store, id);
  return listAudit(deps.store, id, page);
}
