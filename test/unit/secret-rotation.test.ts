/**
 * Secrets Manager's rotation function (issue 13, item 2 in AWS): the four steps it is called with run the
 * credential rotation's own steps on the identity's iDRACs, each step safe to repeat with the same token (Secrets
 * Manager retries), one rotation at a time per identity whichever way it started.
 */
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/workers/secret-rotation';
import { provideDeps } from '../../shared/container';
import { DellEndpointCreate } from '../../shared/domain/dell-endpoint';
import { SiteCreate } from '../../shared/domain/site';
import type { Idrac } from '../../shared/ports/idrac';
import { credentialRotations } from '../../shared/records/credential-rotations';
import { serviceIdentities } from '../../shared/records/service-identities';
import { startCredentialRotation } from '../../shared/usecases/credential-rotation';
import { createDellEndpoint } from '../../shared/usecases/dell-endpoints';
import type { Deps } from '../../shared/usecases/deps';
import { rotationIdOf, SECRET_ROTATION_STEPS, type SecretRotationStep } from '../../shared/usecases/secret-rotation-steps';
import { createServiceIdentity } from '../../shared/usecases/service-identities';
import { createSite } from '../../shared/usecases/sites';
import { FakeAccounts } from '../support/fake-idrac-accounts';
import { RecordingQueue, unitDeps } from '../support/fakes';

const OLD = 'Old-Password-1';
const TOKEN = '8c4f2a9e-1b7d-4e53-9a0c-5d2e6f7a8b91';
const ADDRESSES = ['10.9.0.1', '10.9.0.2'];
const context = { getRemainingTimeInMillis: () => 900_000 } as unknown as Context;

let devices: FakeAccounts;
let d: Omit<ReturnType<typeof unitDeps>, 'queue'> & { queue: RecordingQueue; idrac: Idrac };

beforeEach(async () => {
  devices = new FakeAccounts();
  for (const a of ADDRESSES) devices.passwords.set(a, OLD);
  d = { ...unitDeps(), queue: new RecordingQueue(), idrac: devices as unknown as Idrac };
  provideDeps(d as unknown as Deps);
  await createServiceIdentity(
    d,
    { id: 'si-001', name: 'fleet', description: '', target_kind: 'idrac', username: 'root', secret: OLD },
    'alice',
  );
  await createSite(
    d,
    SiteCreate.parse({ id: 'site-a', name: 'A', management_networks: ['10.9.0.0/29'], idrac_service_identity_id: 'si-001' }),
    'alice',
  );
  for (const [i, address] of ADDRESSES.entries())
    await createDellEndpoint(d, DellEndpointCreate.parse({ id: `idrac-00${i + 1}`, address, site_id: 'site-a' }), 'alice');
});

const secretRef = async () => (await serviceIdentities.get(d.store, 'si-001')).secret_ref;
/** The event Secrets Manager sends: the secret's ARN (the fake's refOf reads the ref out of it). */
const step = async (Step: SecretRotationStep, token = TOKEN) =>
  handler({ SecretId: `arn:secret:${await secretRef()}`, ClientRequestToken: token, Step }, context);
const asDeps = () => d as unknown as Deps;
const rotation = () => credentialRotations.get(d.store, rotationIdOf(TOKEN));

describe("Secrets Manager's rotation function", () => {
  it('puts an iDRAC identity on the rotation schedule, a vCenter one not', async () => {
    await createServiceIdentity(
      d,
      { id: 'si-vc', name: 'vc', description: '', target_kind: 'vcenter', username: 'u', secret: 'x' },
      'alice',
    );
    expect([...d.secrets.scheduled]).toEqual([await secretRef()]);
  });

  it('runs createSecret, setSecret, testSecret and finishSecret as the rotation steps, each step and no further', async () => {
    await step('createSecret');
    expect((await rotation()).status).toBe('setting');
    expect(await d.secrets.getPending(await secretRef())).toMatchObject({ versionId: TOKEN });
    expect(devices.calls).toEqual([]);

    await step('setSecret');
    expect((await rotation()).status).toBe('testing');
    const pending = (await d.secrets.getPending(await secretRef()))?.value;
    expect([...devices.passwords.values()]).toEqual([pending, pending]);
    expect(await d.secrets.get(await secretRef())).toBe(OLD);

    await step('testSecret');
    expect((await rotation()).status).toBe('finishing');

    expect(await step('finishSecret')).toEqual({ rotation_id: rotationIdOf(TOKEN), status: 'succeeded' });
    expect(await d.secrets.get(await secretRef())).toBe(pending);
    expect(await d.secrets.getPending(await secretRef())).toBeUndefined();
    expect((await rotation()).requested_by).toBe('secrets-manager');
    expect((await serviceIdentities.get(d.store, 'si-001')).rotation_id).toBeUndefined();
    expect(d.queue.sent).toEqual([]); // Secrets Manager runs the steps; nothing is handed to the credentials pool
  });

  it('repeats every step with the same token without a second password or a second change', async () => {
    for (const s of SECRET_ROTATION_STEPS) {
      await step(s);
      await step(s);
    }
    const now = await d.secrets.get(await secretRef());
    expect(now).not.toBe(OLD);
    expect([...devices.passwords.values()]).toEqual([now, now]);
    expect(devices.calls).toEqual(ADDRESSES); // each device was asked once
    expect((await rotation()).status).toBe('succeeded');
  });

  it('fails the step when a target refuses, after rolling every changed target back', async () => {
    devices.refusing.add(ADDRESSES[1]!);
    await step('createSecret');
    await expect(step('setSecret')).rejects.toThrow(/rolled back/);
    expect((await rotation()).status).toBe('rolled_back');
    expect([...devices.passwords.values()]).toEqual([OLD, OLD]);
    expect(await d.secrets.get(await secretRef())).toBe(OLD);
    expect(await d.secrets.getPending(await secretRef())).toBeUndefined();
    // Secrets Manager retries the rotation: the same answer, nothing touched again.
    const calls = devices.calls.length;
    await expect(step('setSecret')).rejects.toThrow(/rolled back/);
    expect(devices.calls.length).toBe(calls);
  });

  it('refuses to start while the API rotation of the identity runs, and the API refuses while it runs', async () => {
    await startCredentialRotation(asDeps(), 'si-001', 'alice');
    await expect(step('createSecret')).rejects.toThrow(/is being rotated/);
    expect(await credentialRotations.find(d.store, rotationIdOf(TOKEN))).toBeUndefined();

    const other = '0f3e6d2c-9a8b-4c7d-8e1f-2a3b4c5d6e7f';
    const api = (await serviceIdentities.get(d.store, 'si-001')).rotation_id!;
    await credentialRotations.update(d.store, api, (r) => ({ ...r, status: 'rolled_back' }));
    await step('createSecret', other);
    await expect(startCredentialRotation(asDeps(), 'si-001', 'alice')).rejects.toThrow(/is being rotated/);
  });

  it('refuses a step of a rotation that never began, a secret the identity no longer uses, and a malformed event', async () => {
    await expect(step('setSecret')).rejects.toThrow(/before createSecret/);
    await expect(
      handler({ SecretId: 'arn:secret:si-001/stale', ClientRequestToken: TOKEN, Step: 'createSecret' }, context),
    ).rejects.toThrow(/si-001\/stale/);
    await expect(handler({ SecretId: 'x', ClientRequestToken: 'short', Step: 'createSecret' }, context)).rejects.toThrow();
    expect(devices.calls).toEqual([]);
  });
});
