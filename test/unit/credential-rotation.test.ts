import { beforeEach, describe, expect, it } from 'vitest';
import { DellEndpointCreate } from '../../shared/domain/dell-endpoint';
import { ConflictError, LockedError } from '../../shared/domain/errors';
import { SiteCreate } from '../../shared/domain/site';
import type { Idrac } from '../../shared/ports/idrac';
import type { Queue } from '../../shared/ports/queue';
import { listAudit } from '../../shared/records/audit';
import { serviceIdentities } from '../../shared/records/service-identities';
import { switches } from '../../shared/records/switches';
import { generatePassword, startCredentialRotation } from '../../shared/usecases/credential-rotation';
import { runCredentialRotation } from '../../shared/usecases/credential-rotation-run';
import { createDellEndpoint } from '../../shared/usecases/dell-endpoints';
import { createServiceIdentity } from '../../shared/usecases/service-identities';
import { createSite } from '../../shared/usecases/sites';
import { FakeAccounts } from '../support/fake-idrac-accounts';
import { ManualClock, MemorySecrets, RecordingQueue } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';

const OLD = 'Old-Password-1';

/** The worker dies at its next write (the process is killed): the write never happens. */
class CrashingStore extends MemoryStore {
  crashAtNextPut = false;
  override async put(...args: Parameters<MemoryStore['put']>): Promise<void> {
    if (this.crashAtNextPut) {
      this.crashAtNextPut = false;
      throw new Error('worker died');
    }
    return super.put(...args);
  }
}

const ADDRESSES = ['10.9.0.1', '10.9.0.2', '10.9.0.3'];
let devices: FakeAccounts;
let sent: RecordingQueue;
let deps: { store: CrashingStore; secrets: MemorySecrets; clock: ManualClock; queue: Queue; idrac: Idrac };
const dieAfterChangeAt = (address: string) => {
  devices.afterChange = (a) => {
    if (a === address) deps.store.crashAtNextPut = true;
  };
};

beforeEach(async () => {
  devices = new FakeAccounts();
  for (const a of ADDRESSES) devices.passwords.set(a, OLD);
  sent = new RecordingQueue();
  deps = {
    store: new CrashingStore(),
    secrets: new MemorySecrets(),
    clock: new ManualClock(),
    queue: sent as unknown as Queue,
    idrac: devices as unknown as Idrac,
  };
  await createServiceIdentity(
    deps,
    { id: 'si-001', name: 'fleet', description: '', target_kind: 'idrac', username: 'root', secret: OLD },
    'alice',
  );
  await createSite(
    deps,
    SiteCreate.parse({ id: 'site-a', name: 'A', management_networks: ['10.9.0.0/29'], idrac_service_identity_id: 'si-001' }),
    'alice',
  );
  for (const [i, address] of ADDRESSES.entries())
    await createDellEndpoint(deps, DellEndpointCreate.parse({ id: `idrac-00${i + 1}`, address, site_id: 'site-a' }), 'alice');
});

const secretRef = async () => (await serviceIdentities.get(deps.store, 'si-001')).secret_ref;
const current = async () => deps.secrets.get(await secretRef());
const states = (r: { targets: { id: string; state: string }[] }) => Object.fromEntries(r.targets.map((t) => [t.id, t.state]));

describe('credential rotation', () => {
  it('sets one generated password on every target, the canary first and tested before the others, then makes it current', async () => {
    const started = await startCredentialRotation(deps, 'si-001', 'alice');
    expect(started.status).toBe('pending');
    expect(sent.sent.map((m) => JSON.parse(m.message.body))).toEqual([{ rotation_id: started.id }]);
    const done = await runCredentialRotation(deps, started.id);
    expect(done.status).toBe('succeeded');
    expect(states(done)).toEqual({ 'idrac-001': 'tested', 'idrac-002': 'tested', 'idrac-003': 'tested' });
    expect(devices.calls).toEqual(ADDRESSES);
    const now = await current();
    expect(now).not.toBe(OLD);
    expect([...devices.passwords.values()]).toEqual([now, now, now]);
    expect(await deps.secrets.getPending(await secretRef())).toBeUndefined();
    expect((await serviceIdentities.get(deps.store, 'si-001')).rotation_id).toBeUndefined();
    const audit = (await listAudit(deps.store, 'si-001', { limit: 20 })).items;
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['credential.rotation_started', 'credential.rotated']));
    expect(JSON.stringify({ done, audit })).not.toContain(now);
  });

  it('rolls back every changed target when one refuses, keeps the current password and lists each outcome', async () => {
    devices.refusing.add(ADDRESSES[2]!);
    const done = await runCredentialRotation(deps, (await startCredentialRotation(deps, 'si-001', 'alice')).id);
    expect(done.status).toBe('rolled_back');
    expect(states(done)).toEqual({ 'idrac-001': 'rolled_back', 'idrac-002': 'rolled_back', 'idrac-003': 'refused' });
    expect([...devices.passwords.values()]).toEqual([OLD, OLD, OLD]);
    expect(await current()).toBe(OLD);
    expect(await deps.secrets.getPending(await secretRef())).toBeUndefined();
  });

  it('takes an unreachable target as unchanged (nothing was sent) and rolls the others back', async () => {
    devices.unreachable.add(ADDRESSES[2]!);
    const done = await runCredentialRotation(deps, (await startCredentialRotation(deps, 'si-001', 'alice')).id);
    expect(done.status).toBe('rolled_back');
    expect(states(done)).toEqual({ 'idrac-001': 'rolled_back', 'idrac-002': 'rolled_back', 'idrac-003': 'refused' });
    expect(done.targets[2]?.message).toMatch(/unreachable/);
    expect([devices.passwords.get(ADDRESSES[0]!), devices.passwords.get(ADDRESSES[1]!)]).toEqual([OLD, OLD]);
  });

  it('touches no other target when the canary refuses', async () => {
    devices.refusing.add(ADDRESSES[0]!);
    const done = await runCredentialRotation(deps, (await startCredentialRotation(deps, 'si-001', 'alice')).id);
    expect(done.status).toBe('rolled_back');
    expect(states(done)).toEqual({ 'idrac-001': 'refused', 'idrac-002': 'skipped', 'idrac-003': 'skipped' });
    expect(devices.calls).toEqual([ADDRESSES[0]]);
  });

  it('carries on after a worker died between changing a device and writing so: the device is not changed twice', async () => {
    dieAfterChangeAt(ADDRESSES[1]!);
    const id = (await startCredentialRotation(deps, 'si-001', 'alice')).id;
    await expect(runCredentialRotation(deps, id)).rejects.toThrow('worker died');
    devices.afterChange = () => undefined;
    const done = await runCredentialRotation(deps, id);
    expect(done.status).toBe('succeeded');
    const now = await current();
    expect([...devices.passwords.values()]).toEqual([now, now, now]);
  });

  it('ends failed, keeping the pending password and saying what to do, when a changed target cannot be rolled back', async () => {
    devices.refusing.add(ADDRESSES[2]!);
    dieAfterChangeAt(ADDRESSES[1]!);
    const id = (await startCredentialRotation(deps, 'si-001', 'alice')).id;
    await expect(runCredentialRotation(deps, id)).rejects.toThrow('worker died');
    devices.afterChange = () => undefined;
    devices.unreachable.add(ADDRESSES[1]!);
    const done = await runCredentialRotation(deps, id);
    expect(done.status).toBe('failed');
    expect(states(done)).toMatchObject({ 'idrac-001': 'rolled_back', 'idrac-002': 'rollback_failed' });
    expect(done.manual_steps?.join(' ')).toMatch(/idrac-002 \(10\.9\.0\.2\) may still have the new password/);
    const pending = await deps.secrets.getPending(await secretRef());
    expect(pending?.value).toBe(devices.passwords.get(ADDRESSES[1]!));
    expect(await current()).toBe(OLD);
  });

  it('allows one rotation per identity at a time, none while the kill switch is on, and none for vCenter identities', async () => {
    await startCredentialRotation(deps, 'si-001', 'alice');
    await expect(startCredentialRotation(deps, 'si-001', 'bob')).rejects.toThrow(ConflictError);
    await switches.create(deps.store, { id: 'kill-switch', on: true, changed_by: 'admin', history: [], version: 1 });
    await expect(startCredentialRotation(deps, 'si-001', 'bob')).rejects.toThrow(LockedError);
    await switches.update(deps.store, 'kill-switch', (c) => ({ ...c, on: false }));
    await createServiceIdentity(
      deps,
      { id: 'si-vc', name: 'vc', description: '', target_kind: 'vcenter', username: 'svc@vsphere.local', secret: OLD },
      'a',
    );
    const refused = await startCredentialRotation(deps, 'si-vc', 'alice').catch((e: ConflictError) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).details).toMatchObject({
      manual_steps: expect.arrayContaining([expect.stringMatching(/si-vc\/rotate/)]),
    });
  });
});

describe('generated passwords', () => {
  it('are 20 characters with upper, lower, digit and symbol, and never repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generatePassword();
      expect(p).toHaveLength(20);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[0-9]/);
      expect(p).toMatch(/[-_.!#%+]/);
      expect(p).toMatch(/^[A-Za-z0-9\-_.!#%+]+$/);
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });
});
