/**
 * Running one credential rotation (see credential-rotation.ts for the steps and how it starts): the rotation
 * record is read, the step it names is done and written, until it is final. Every device step is safe to repeat,
 * and a target's `setting` / `rolling_back` is written before its device is asked, so the worker that carries on
 * after a crash asks the device which password it has rather than guessing.
 */
import type { CredentialRotation, RotationStatus, RotationTarget, RotationTargetState } from '../domain/credential-rotation';
import { canaryFirst, isFinalRotation } from '../domain/credential-rotation';
import type { DellEndpoint } from '../domain/dell-endpoint';
import { ConflictError } from '../domain/errors';
import type { ServiceIdentity } from '../domain/service-identity';
import { logger } from '../observability/logger';
import { isoNow } from '../ports/clock';
import { type IdracCredential, IdracError } from '../ports/idrac';
import { recordAudit } from '../records/audit';
import { credentialRotations } from '../records/credential-rotations';
import { dellEndpoints } from '../records/dell-endpoints';
import { serviceIdentities } from '../records/service-identities';
import { generatePassword, type RotationDeps } from './credential-rotation';
import { targetOf } from './dell-endpoints';

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

// The steps in the order they run (a rollback may follow any of them).
const STEP_ORDER: RotationStatus[] = ['pending', 'setting', 'testing', 'finishing'];

/**
 * Carries a rotation on from the step its record names until it is final, or, given `through`, until that step
 * is done (Secrets Manager asks for one step per invocation); a rollback, once begun, always runs to its end.
 */
export async function runCredentialRotation(deps: RotationDeps, rotationId: string, through?: RotationStatus): Promise<CredentialRotation> {
  const run = new Run(deps, await credentialRotations.get(deps.store, rotationId));
  const due = (status: RotationStatus) =>
    through === undefined || status === 'rolling_back' || STEP_ORDER.indexOf(status) <= STEP_ORDER.indexOf(through);
  try {
    while (!isFinalRotation(run.rotation.status) && due(run.rotation.status)) {
      const status = run.rotation.status as keyof typeof STEPS;
      logger.info('Credential rotation step', { rotation_id: rotationId, status });
      await STEPS[status](run, deps);
    }
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    logger.info('Credential rotation carried on by another worker', { rotation_id: rotationId });
    return credentialRotations.get(deps.store, rotationId);
  }
  if (isFinalRotation(run.rotation.status))
    logger.info('Credential rotation ended', { rotation_id: rotationId, status: run.rotation.status });
  return run.rotation;
}
