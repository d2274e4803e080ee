/**
 * Credential rotation with a generated password (`POST /service-identities/{id}/rotate` without a body), in the
 * steps of a Secrets Manager rotation function: createSecret (a pending version beside the current one),
 * setSecret on each target (the canary first, tested alone before any other target is touched), testSecret on
 * each target (the pending password is accepted, the current one refused), finishSecret (pending becomes
 * current). A target that refuses sends the rotation into rollback: every target that may have the new password
 * gets the current one back, and the pending version is dropped. Each step is written to the rotation record
 * before the next begins, so a worker that dies is followed by one (the queue's redelivery, a restart, or
 * housekeeping) that carries on from the record; every device step is safe to repeat.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { sendToPool } from '../catalog/messages';
import {
  type CredentialRotation,
  canaryFirst,
  isFinalRotation,
  type RotationTarget,
  type RotationTargetState,
} from '../domain/credential-rotation';
import type { DellEndpoint } from '../domain/dell-endpoint';
import { ConflictError, NotFoundError } from '../domain/errors';
import { newId } from '../domain/ids';
import type { ServiceIdentity } from '../domain/service-identity';
import { logger } from '../observability/logger';
import { isoNow } from '../ports/clock';
import { type IdracCredential, IdracError } from '../ports/idrac';
import { recordAudit } from '../records/audit';
import { credentialRotations } from '../records/credential-rotations';
import { dellEndpoints, endpointsOfSite } from '../records/dell-endpoints';
import { references } from '../records/references';
import { serviceIdentities, serviceIdentityRef } from '../records/service-identities';
import { sites } from '../records/sites';
import { targetOf } from './dell-endpoints';
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

// The device certainly did not take the new password (it said no, or nothing was sent): no rollback needed there.
const UNCHANGED = new Set([
  'password_refused',
  'credential_rejected',
  'forbidden',
  'not_found',
  'not_an_idrac',
  'unreachable',
  'tls_handshake',
  'certificate_mismatch',
  'certificate_untrusted',
  'circuit_open',
  'overloaded',
]);
// What the device answered about the passwords themselves: certain even for a target a dead worker was changing.
const ANSWERED_UNCHANGED = new Set(['password_refused', 'credential_rejected']);
const MAY_HAVE_NEW: RotationTargetState[] = ['setting', 'set', 'tested', 'rolling_back'];
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
    id: newId('credential_rotation', deps.clock.now()),
    service_identity_id: identityId,
    status: 'pending',
    secret_version_id: randomUUID(),
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
  await sendToPool(deps.queue, 'credentials', [{ message: { rotation_id: rotation.id } }]);
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

type Passwords = { identity: ServiceIdentity; current: IdracCredential; pending?: IdracCredential };

class Run {
  constructor(
    private readonly deps: RotationDeps,
    public rotation: CredentialRotation,
  ) {}

  /** Writes the next state; a lost race means another worker carries this rotation on, so this one stops. */
  async save(change: Partial<CredentialRotation>): Promise<void> {
    const now = isoNow(this.deps.clock);
    this.rotation = await credentialRotations.replace(this.deps.store, {
      ...this.rotation,
      ...change,
      updated_at: now,
      version: this.rotation.version + 1,
    });
  }

  async saveTarget(id: string, change: Partial<RotationTarget>, rotationChange: Partial<CredentialRotation> = {}): Promise<void> {
    const at = isoNow(this.deps.clock);
    await this.save({
      ...rotationChange,
      targets: this.rotation.targets.map((t) => (t.id === id ? { ...t, ...change, at } : t)),
    });
  }

  async passwords(): Promise<Passwords> {
    const identity = await serviceIdentities.get(this.deps.store, this.rotation.service_identity_id);
    const current = { username: identity.username, password: await this.deps.secrets.get(identity.secret_ref) };
    const staged = await this.deps.secrets.getPending(identity.secret_ref);
    const pending =
      staged?.versionId === this.rotation.secret_version_id ? { username: identity.username, password: staged.value } : undefined;
    return { identity, current, pending };
  }

  async endpoint(target: RotationTarget): Promise<DellEndpoint | undefined> {
    const ep = await dellEndpoints.find(this.deps.store, target.id);
    return ep && ep.address === target.address ? ep : undefined;
  }

  /** setSecret on one target, safe to repeat: a device already on the pending password is left as it is. */
  async setOn(target: RotationTarget, p: Required<Passwords>): Promise<'redfish' | 'wsman'> {
    const ep = await this.endpoint(target);
    if (!ep) throw new IdracError('not_found', `iDRAC endpoint '${target.id}' was deleted or moved during the rotation`, target.address);
    const device = targetOf(ep);
    try {
      return (await this.deps.idrac.setAccountPassword(device, p.current, p.identity.username, p.pending.password)).protocol;
    } catch (e) {
      if (!(e instanceof IdracError && e.code === 'credential_rejected')) throw e;
      // A worker before this one set it and died before writing so.
      const check = await this.deps.idrac.verifyCredential(device, p.pending);
      if (check.result === 'ok') return check.protocol;
      throw e;
    }
  }

  /** testSecret on one target: the pending password is accepted and the current one refused. */
  async test(target: RotationTarget, p: Required<Passwords>): Promise<string | undefined> {
    const ep = await this.endpoint(target);
    if (!ep) return `iDRAC endpoint '${target.id}' was deleted or moved during the rotation`;
    const device = targetOf(ep);
    const withNew = await this.deps.idrac.verifyCredential(device, p.pending);
    if (withNew.result !== 'ok') return `the new password was not accepted: ${withNew.message}`;
    const withOld = await this.deps.idrac.verifyCredential(device, p.current);
    if (withOld.result === 'ok') return 'the old password is still accepted: the change did not take';
    return undefined;
  }

  /** Puts the current password back on a target that may have the pending one; safe to repeat. */
  async restore(target: RotationTarget, p: Passwords): Promise<string> {
    const ep = await this.endpoint(target);
    if (!ep) throw new Error(`iDRAC endpoint '${target.id}' was deleted or moved during the rotation`);
    const device = targetOf(ep);
    if (p.pending) {
      try {
        await this.deps.idrac.setAccountPassword(device, p.pending, p.identity.username, p.current.password);
        return 'the old password was set back';
      } catch (e) {
        if (!(e instanceof IdracError && e.code === 'credential_rejected')) throw e;
      }
    }
    const check = await this.deps.idrac.verifyCredential(device, p.current);
    if (check.result !== 'ok') throw new Error(`it accepts neither the new nor the old password (${check.message})`);
    return 'it still had the old password';
  }
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** createSecret: the pending version, made once per rotation (a repeat finds it). */
async function createSecret(run: Run, deps: RotationDeps): Promise<void> {
  const p = await run.passwords();
  if (!p.pending) await deps.secrets.putPending(p.identity.secret_ref, run.rotation.secret_version_id, generatePassword());
  await run.save({ status: 'setting' });
}

/** setSecret on each target, the canary first and tested alone; a refusal starts the rollback. */
async function setSecret(run: Run): Promise<void> {
  const p = await run.passwords();
  if (!p.pending) return run.save({ status: 'rolling_back', reason: 'the pending password was lost before every target had it' });
  const passwords = { ...p, pending: p.pending };
  for (const target of canaryFirst(run.rotation.targets)) {
    if (target.state === 'waiting' || target.state === 'setting') {
      // A target found `setting` was being changed when a worker died: only the device's own answer tells.
      const fresh = target.state === 'waiting';
      await run.saveTarget(target.id, { state: 'setting' });
      let protocol: 'redfish' | 'wsman';
      try {
        protocol = await run.setOn(target, passwords);
      } catch (e) {
        const code = e instanceof IdracError ? e.code : undefined;
        const certain = code !== undefined && (fresh ? UNCHANGED.has(code) : ANSWERED_UNCHANGED.has(code));
        const reason = `${target.id} refused the new password: ${messageOf(e)}`;
        await run.saveTarget(
          target.id,
          { state: certain ? 'refused' : 'setting', message: messageOf(e) },
          { status: 'rolling_back', reason },
        );
        return;
      }
      // Outside the try: a store failure here is not the device refusing; the next worker finds the target `setting`.
      await run.saveTarget(target.id, { state: 'set', protocol, message: undefined });
    }
    const latest = run.rotation.targets.find((t) => t.id === target.id);
    if (target.canary && latest?.state === 'set') {
      const failed = await run.test(target, passwords).catch(messageOf);
      if (failed) {
        await run.saveTarget(
          target.id,
          { message: `canary test failed: ${failed}` },
          { status: 'rolling_back', reason: `canary ${target.id}: ${failed}` },
        );
        return;
      }
      await run.saveTarget(target.id, { state: 'tested' });
    }
  }
  await run.save({ status: 'testing' });
}

/** testSecret on every target that was set (the canary already was). */
async function testSecret(run: Run): Promise<void> {
  const p = await run.passwords();
  if (!p.pending) return run.save({ status: 'rolling_back', reason: 'the pending password was lost before every target was tested' });
  for (const target of run.rotation.targets) {
    if (target.state !== 'set') continue;
    const failed = await run.test(target, { ...p, pending: p.pending }).catch(messageOf);
    if (failed) {
      await run.saveTarget(target.id, { message: `test failed: ${failed}` }, { status: 'rolling_back', reason: `${target.id}: ${failed}` });
      return;
    }
    await run.saveTarget(target.id, { state: 'tested' });
  }
  await run.save({ status: 'finishing' });
}

/** finishSecret: the pending version becomes current; the identity is free for the next rotation. */
async function finishSecret(run: Run, deps: RotationDeps): Promise<void> {
  const { identity } = await run.passwords();
  await deps.secrets.promotePending(identity.secret_ref, run.rotation.secret_version_id);
  const now = isoNow(deps.clock);
  await serviceIdentities.update(deps.store, identity.id, (c) => ({
    ...c,
    secret_updated_at: now,
    updated_at: now,
    last_verification: undefined,
    rotation_id: c.rotation_id === run.rotation.id ? undefined : c.rotation_id,
  }));
  await recordAudit(deps.store, {
    subject_id: identity.id,
    action: 'credential.rotated',
    at: now,
    actor: run.rotation.requested_by,
    detail: { mode: 'generated', rotation_id: run.rotation.id, targets: run.rotation.targets.map((t) => t.id) },
  });
  await run.save({ status: 'succeeded', finished_at: now });
}

/** Every target that may have the new password gets the current one back; then the pending version goes. */
async function rollBack(run: Run, deps: RotationDeps): Promise<void> {
  const p = await run.passwords();
  for (const target of run.rotation.targets) {
    if (target.state === 'waiting') {
      await run.saveTarget(target.id, { state: 'skipped', message: 'not changed: the rotation rolled back before it' });
      continue;
    }
    if (!MAY_HAVE_NEW.includes(target.state)) continue;
    const why = target.message ? `${target.message}; ` : '';
    await run.saveTarget(target.id, { state: 'rolling_back' });
    try {
      const how = await run.restore(target, p);
      await run.saveTarget(target.id, { state: 'rolled_back', message: `${why}${how}` });
    } catch (e) {
      await run.saveTarget(target.id, { state: 'rollback_failed', message: `${why}rollback failed: ${messageOf(e)}` });
    }
  }
  const stuck = run.rotation.targets.filter((t) => t.state === 'rollback_failed');
  const now = isoNow(deps.clock);
  if (stuck.length) {
    // The pending password is kept: the stuck targets may have it, and it exists nowhere else.
    await run.save({
      status: 'failed',
      finished_at: now,
      manual_steps: [
        `${stuck.map((t) => `${t.id} (${t.address})`).join(', ')} may still have the new password; it is kept as the ` +
          `pending version of the secret of service identity '${p.identity.id}' ` +
          `(${p.identity.secret_ref}, version ${run.rotation.secret_version_id})`,
        'Once they answer again, start a new rotation: it sets a fresh password on every target, these included',
      ],
    });
  } else {
    await deps.secrets.discardPending(p.identity.secret_ref, run.rotation.secret_version_id);
    await run.save({ status: 'rolled_back', finished_at: now });
  }
  await serviceIdentities.update(deps.store, p.identity.id, (c) => ({
    ...c,
    rotation_id: c.rotation_id === run.rotation.id ? undefined : c.rotation_id,
  }));
  await recordAudit(deps.store, {
    subject_id: p.identity.id,
    action: stuck.length ? 'credential.rotation_failed' : 'credential.rotation_rolled_back',
    at: now,
    actor: run.rotation.requested_by,
    detail: { rotation_id: run.rotation.id, reason: run.rotation.reason, stuck: stuck.map((t) => t.id) },
  });
}

const STEPS = {
  pending: createSecret,
  setting: setSecret,
  testing: testSecret,
  finishing: finishSecret,
  rolling_back: rollBack,
} as const;

/** Carries a rotation on from the step its record names until it is final. */
export async function runCredentialRotation(deps: RotationDeps, rotationId: string): Promise<CredentialRotation> {
  const run = new Run(deps, await credentialRotations.get(deps.store, rotationId));
  try {
    while (!isFinalRotation(run.rotation.status)) {
      const status = run.rotation.status as keyof typeof STEPS;
      logger.info('Credential rotation step', { rotation_id: rotationId, status });
      await STEPS[status](run, deps);
    }
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    logger.info('Credential rotation carried on by another worker', { rotation_id: rotationId });
    return credentialRotations.get(deps.store, rotationId);
  }
  logger.info('Credential rotation ended', { rotation_id: rotationId, status: run.rotation.status });
  return run.rotation;
}
