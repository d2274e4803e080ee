import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../shared/domain/errors';
import { credentialRotations } from '../../shared/records/credential-rotations';
import { references } from '../../shared/records/references';
import { serviceIdentities, serviceIdentityRef } from '../../shared/records/service-identities';
import {
  createServiceIdentity,
  deleteServiceIdentity,
  rotateServiceIdentity,
  serviceIdentityActivity,
  useCredential,
  verifyServiceIdentity,
} from '../../shared/usecases/service-identities';
import { unitDeps } from '../support/fakes';

const input = { id: 'si-001', name: 'fleet', description: '', target_kind: 'idrac' as const, username: 'root', secret: 'pw-1' };

describe('service identity use cases', () => {
  it('a create that loses the id race leaves no orphan secret and keeps the first secret', async () => {
    const deps = unitDeps();
    await createServiceIdentity(deps, input, 'alice');
    await expect(createServiceIdentity(deps, { ...input, secret: 'pw-evil' }, 'bob')).rejects.toBeInstanceOf(ConflictError);
    expect([...deps.secrets.values.values()]).toEqual(['pw-1']);
    expect((await useCredential(deps, 'si-001', 'test')).secret).toBe('pw-1');
  });

  it('rotation swaps to a new secret reference and deletes the old secret', async () => {
    const deps = unitDeps();
    await createServiceIdentity(deps, input, 'alice');
    const rotated = await rotateServiceIdentity(deps, 'si-001', 'pw-2');
    expect(rotated.version).toBe(2);
    expect([...deps.secrets.values.values()]).toEqual(['pw-2']);
    expect((await useCredential(deps, 'si-001', 'test')).secret).toBe('pw-2');
  });

  it('recording a supplied secret is refused while a generated rotation of the identity runs', async () => {
    const deps = unitDeps();
    await createServiceIdentity(deps, input, 'alice');
    const now = '2026-11-23T10:00:00.000Z';
    await credentialRotations.create(deps.store, {
      id: 'rot-1',
      service_identity_id: 'si-001',
      status: 'setting',
      secret_version_id: 'v',
      targets: [],
      requested_by: 'alice',
      created_at: now,
      updated_at: now,
      version: 1,
    });
    await serviceIdentities.update(deps.store, 'si-001', (c) => ({ ...c, rotation_id: 'rot-1' }));
    await expect(rotateServiceIdentity(deps, 'si-001', 'pw-2')).rejects.toThrow(/being rotated \(rot-1, setting\)/);
    expect([...deps.secrets.values.values()]).toEqual(['pw-1']);
  });

  it('verification uses the registered verifier for the kind and records the outcome', async () => {
    const deps = unitDeps();
    await createServiceIdentity(deps, input, 'alice');
    const seen: string[] = [];
    const withVerifier = {
      ...deps,
      verifiers: {
        idrac: {
          verify: async (_si: unknown, secret: string) => {
            seen.push(secret);
            return { result: 'rejected' as const, message: '401 from idrac-001', target: 'idrac-001' };
          },
        },
      },
    };
    const v = await verifyServiceIdentity(withVerifier, 'si-001');
    expect(v).toMatchObject({ result: 'rejected', target: 'idrac-001' });
    expect(seen).toEqual(['pw-1']);
    const actions = (await serviceIdentityActivity(deps, 'si-001', { limit: 10 })).items.map((e) => e.action);
    expect(actions).toEqual(['credential.verified', 'credential.used', 'credential.created']);
  });

  it('delete is refused while something uses the identity, and cleans stale references', async () => {
    const deps = unitDeps();
    await createServiceIdentity(deps, input, 'alice');
    const site = { kind: 'SITE', id: 'site-001', label: 'site' };
    await references.add(deps.store, serviceIdentityRef('si-001'), site);
    // The referrer does not exist: a stale edge from a crash; it must not block the delete.
    await deleteServiceIdentity(deps, 'si-001');
    await expect(useCredential(deps, 'si-001', 'x')).rejects.toBeInstanceOf(NotFoundError);
    expect(deps.secrets.values.size).toBe(0);

    await createServiceIdentity(deps, input, 'alice');
    await deps.store.put({ pk: 'SITE#site-001', sk: 'SITE', id: 'site-001', version: 1 });
    await references.add(deps.store, serviceIdentityRef('si-001'), site);
    await expect(deleteServiceIdentity(deps, 'si-001')).rejects.toThrow(/still used by site 'site-001'/);
    expect(deps.secrets.values.size).toBe(1);
  });
});
