import { beforeEach, describe, expect, it } from 'vitest';
import { applyCapabilities } from '../../shared/domain/dell-capabilities';
import { AddressInUseError, type DellEndpoint, DellEndpointCreate, DellEndpointUpdate } from '../../shared/domain/dell-endpoint';
import { SiteCreate } from '../../shared/domain/site';
import type { Item, WriteCondition } from '../../shared/ports/store';
import { dellEndpoints, endpointsOfSite, findAddressClaim } from '../../shared/records/dell-endpoints';
import { bindClaim, CLAIM_GRACE_MS, claimAddress } from '../../shared/usecases/dell-address-claims';
import { createDellEndpoint, deleteDellEndpoint, refreshDellEndpoint, updateDellEndpoint } from '../../shared/usecases/dell-endpoints';
import { createSite } from '../../shared/usecases/sites';
import { ManualClock, MemorySecrets } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';
import { FakeIdrac } from './fake-idrac';

/** A memory store that can run something just before one chosen write, to stage races deterministically. */
class StagedStore extends MemoryStore {
  private hook?: { pk: string; run: () => Promise<void> };
  before(pk: string, run: () => Promise<void>) {
    this.hook = { pk, run };
  }
  override async put(item: Item, condition?: WriteCondition): Promise<void> {
    const hook = this.hook;
    if (hook && item.pk === hook.pk) {
      this.hook = undefined;
      await hook.run();
    }
    return super.put(item, condition);
  }
}

let deps: { store: StagedStore; clock: ManualClock; secrets: MemorySecrets; idrac: FakeIdrac };
const create = (body: Record<string, unknown>) => createDellEndpoint(deps, DellEndpointCreate.parse(body), 'alice');
const patch = (id: string, body: Record<string, unknown>) => updateDellEndpoint(deps, id, DellEndpointUpdate.parse(body));
const conflictOf = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AddressInUseError);
  return e as AddressInUseError;
};

beforeEach(async () => {
  deps = { store: new StagedStore(), clock: new ManualClock(), secrets: new MemorySecrets(), idrac: new FakeIdrac() };
  await createSite(deps, SiteCreate.parse({ id: 'site-a', name: 'A', management_networks: ['10.0.0.0/24'] }), 'alice');
  await createSite(deps, SiteCreate.parse({ id: 'site-b', name: 'B', management_networks: ['10.0.0.0/24'] }), 'alice');
});

describe('one endpoint per iDRAC address', () => {
  it('refuses a second endpoint for an address, in the same site or another, naming the first', async () => {
    await create({ id: 'idrac-001', address: '10.0.0.17', site_id: 'site-a' });
    const same = await conflictOf(create({ id: 'idrac-002', address: '10.0.0.17', site_id: 'site-a' }));
    expect(same.status).toBe(409);
    expect(same.message).toContain("'idrac-001'");
    expect(same.details).toEqual({ address: '10.0.0.17', endpoint_id: 'idrac-001', site_id: 'site-a' });
    const other = await conflictOf(create({ id: 'idrac-003', address: '10.0.0.17', site_id: 'site-b' }));
    expect(other.endpointId).toBe('idrac-001');
    expect(await dellEndpoints.exists(deps.store, 'idrac-002')).toBe(false);
    expect(await dellEndpoints.exists(deps.store, 'idrac-003')).toBe(false);
  });

  it('of concurrent creates for one address exactly one wins', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => create({ id: `idrac-r${i}`, address: '10.0.0.20', site_id: i % 2 ? 'site-a' : 'site-b' })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<DellEndpoint>).value.id;
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AddressInUseError);
      expect((r as PromiseRejectedResult).reason.endpointId).toBe(winner);
    }
    const all = [...(await endpointsOfSite(deps.store, 'site-a')), ...(await endpointsOfSite(deps.store, 'site-b'))];
    expect(all.map((e) => e.id)).toEqual([winner]);
  });

  it('delete releases the address', async () => {
    await create({ id: 'idrac-001', address: '10.0.0.17', site_id: 'site-a' });
    await deleteDellEndpoint(deps, 'idrac-001');
    expect(await findAddressClaim(deps.store, '10.0.0.17')).toBeUndefined();
    expect((await create({ id: 'idrac-002', address: '10.0.0.17', site_id: 'site-b' })).id).toBe('idrac-002');
  });

  it('an address change claims the new address (409 naming its holder) and releases the old one', async () => {
    await create({ id: 'idrac-001', address: '10.0.0.1', site_id: 'site-a' });
    await create({ id: 'idrac-002', address: '10.0.0.2', site_id: 'site-a' });
    const taken = await conflictOf(patch('idrac-002', { address: '10.0.0.1' }));
    expect(taken.message).toContain("'idrac-001'");
    expect((await dellEndpoints.get(deps.store, 'idrac-002')).address).toBe('10.0.0.2');

    const moved = await patch('idrac-002', { address: '10.0.0.3' });
    expect(moved).toMatchObject({ address: '10.0.0.3', status: 'unknown' });
    expect((await conflictOf(create({ address: '10.0.0.3', site_id: 'site-b' }))).endpointId).toBe('idrac-002');
    expect((await create({ id: 'idrac-004', address: '10.0.0.2', site_id: 'site-b' })).address).toBe('10.0.0.2');
  });

  it('an address change that fails (stale version) leaves the new address free', async () => {
    await create({ id: 'idrac-001', address: '10.0.0.1', site_id: 'site-a' });
    await patch('idrac-001', { redfish_port: 8443 });
    await expect(patch('idrac-001', { address: '10.0.0.9', version: 1 })).rejects.toThrow(/version 2, not 1/);
    expect(await findAddressClaim(deps.store, '10.0.0.9')).toBeUndefined();
    expect((await create({ id: 'idrac-002', address: '10.0.0.9', site_id: 'site-a' })).id).toBe('idrac-002');
  });
});

describe('crash recovery of the address guard', () => {
  it('a claim whose create crashed before the record blocks for the grace period, then is reclaimed', async () => {
    // What a create that died right after its claim leaves behind.
    await claimAddress(deps, '10.0.0.30', { id: 'idrac-ghost', site_id: 'site-a' });
    const blocked = await conflictOf(create({ id: 'idrac-001', address: '10.0.0.30', site_id: 'site-a' }));
    expect(blocked.endpointId).toBe('idrac-ghost');
    deps.clock.advance(CLAIM_GRACE_MS + 1);
    expect((await create({ id: 'idrac-001', address: '10.0.0.30', site_id: 'site-a' })).id).toBe('idrac-001');
    expect(await findAddressClaim(deps.store, '10.0.0.30')).toMatchObject({ endpoint_id: 'idrac-001' });
  });

  it('a claim left by a delete that crashed before releasing it is reclaimed at once', async () => {
    const ep = await create({ id: 'idrac-001', address: '10.0.0.31', site_id: 'site-a' });
    deps.clock.advance(CLAIM_GRACE_MS); // deleted well after it was created (a delete within the grace: see "the price of not binding")
    await dellEndpoints.remove(deps.store, ep); // the record went, the release did not happen
    expect((await create({ id: 'idrac-002', address: '10.0.0.31', site_id: 'site-a' })).id).toBe('idrac-002');
  });

  it('a claim left by an address change that crashed before releasing the old address is reclaimed at once', async () => {
    await create({ id: 'idrac-001', address: '10.0.0.32', site_id: 'site-a' });
    deps.clock.advance(CLAIM_GRACE_MS);
    // The record moved, the old claim was not released.
    await dellEndpoints.update(deps.store, 'idrac-001', (c) => ({ ...c, address: '10.0.0.33' }));
    expect((await create({ id: 'idrac-002', address: '10.0.0.32', site_id: 'site-a' })).id).toBe('idrac-002');
  });

  it('a create retried with the same id after crashing past its claim succeeds', async () => {
    await claimAddress(deps, '10.0.0.34', { id: 'idrac-001', site_id: 'site-a' });
    expect((await create({ id: 'idrac-001', address: '10.0.0.34', site_id: 'site-a' })).id).toBe('idrac-001');
  });

  it('a create that stalls past the grace and loses its claim undoes its record', async () => {
    // While idrac-slow is about to write its record, the grace passes and idrac-fast takes the address.
    deps.store.before('IDRAC#idrac-slow', async () => {
      deps.clock.advance(CLAIM_GRACE_MS + 1);
      await create({ id: 'idrac-fast', address: '10.0.0.35', site_id: 'site-b' });
    });
    const lost = await conflictOf(create({ id: 'idrac-slow', address: '10.0.0.35', site_id: 'site-a' }));
    expect(lost.endpointId).toBe('idrac-fast');
    expect(await dellEndpoints.exists(deps.store, 'idrac-slow')).toBe(false);
    expect(await findAddressClaim(deps.store, '10.0.0.35')).toMatchObject({ endpoint_id: 'idrac-fast' });
  });

  it('a create written well within the grace holds its claim without binding it, past the grace too', async () => {
    await create({ id: 'idrac-001', address: '10.0.0.37', site_id: 'site-a' });
    expect(await findAddressClaim(deps.store, '10.0.0.37')).toMatchObject({ endpoint_id: 'idrac-001', state: 'pending' });
    deps.clock.advance(10 * CLAIM_GRACE_MS);
    expect((await conflictOf(create({ id: 'idrac-002', address: '10.0.0.37', site_id: 'site-b' }))).endpointId).toBe('idrac-001');
    expect(await dellEndpoints.exists(deps.store, 'idrac-002')).toBe(false);
  });

  it('a create whose endpoint write took half the grace or more binds its claim', async () => {
    deps.store.before('IDRAC#idrac-late', async () => deps.clock.advance(CLAIM_GRACE_MS / 2));
    await create({ id: 'idrac-late', address: '10.0.0.38', site_id: 'site-a' });
    expect(await findAddressClaim(deps.store, '10.0.0.38')).toMatchObject({ endpoint_id: 'idrac-late', state: 'bound' });
  });

  it('the price of not binding: a delete that crashed within the grace of its create blocks the address until the grace ends', async () => {
    const ep = await create({ id: 'idrac-001', address: '10.0.0.39', site_id: 'site-a' });
    await dellEndpoints.remove(deps.store, ep); // the record went, the release did not happen
    expect((await conflictOf(create({ id: 'idrac-002', address: '10.0.0.39', site_id: 'site-a' }))).endpointId).toBe('idrac-001');
    deps.clock.advance(CLAIM_GRACE_MS + 1);
    expect((await create({ id: 'idrac-002', address: '10.0.0.39', site_id: 'site-a' })).id).toBe('idrac-002');
  });

  it('binding fails for a claim that was replaced', async () => {
    const mine = await claimAddress(deps, '10.0.0.36', { id: 'idrac-a', site_id: 'site-a' });
    deps.clock.advance(CLAIM_GRACE_MS + 1);
    await claimAddress(deps, '10.0.0.36', { id: 'idrac-b', site_id: 'site-a' });
    expect(await bindClaim(deps, mine)).toBe(false);
  });
});

describe('endpoints registered before address claims existed', () => {
  it('get their claim at their next refresh', async () => {
    deps.idrac.behaviour.set('10.0.0.60', 'idrac9');
    const at = new Date(deps.clock.now()).toISOString();
    // Written as the code before the guard did: the record alone.
    await dellEndpoints.create(deps.store, {
      id: 'idrac-old',
      site_id: 'site-a',
      address: '10.0.0.60',
      redfish_port: 443,
      wsman_port: 5986,
      tls: { insecure: false, legacy: false },
      status: 'unknown',
      source: 'api',
      created_at: at,
      updated_at: at,
      created_by: 'alice',
      version: 1,
    });
    expect(await findAddressClaim(deps.store, '10.0.0.60')).toBeUndefined();
    await refreshDellEndpoint(deps, 'idrac-old');
    expect(await findAddressClaim(deps.store, '10.0.0.60')).toMatchObject({ endpoint_id: 'idrac-old', state: 'bound' });
    expect((await conflictOf(create({ address: '10.0.0.60', site_id: 'site-b' }))).endpointId).toBe('idrac-old');
  });
});

describe('PATCH tls merges', () => {
  it('marking legacy keeps the pin; null removes it', async () => {
    const pin = `${'AB:'.repeat(31)}AB`;
    await create({ id: 'idrac-001', address: '10.0.0.40', site_id: 'site-a', tls: { pinned_thumbprint: pin } });
    expect((await patch('idrac-001', { tls: { legacy: true } })).tls).toEqual({ pinned_thumbprint: pin, insecure: false, legacy: true });
    expect((await patch('idrac-001', { tls: { pinned_thumbprint: null } })).tls).toEqual({ insecure: false, legacy: true });
  });
});

describe('a legacy-only iDRAC is reported, not silently unreachable', () => {
  const ep = {
    id: 'idrac-old',
    address: '10.0.0.50',
    site_id: 'site-a',
    redfish_port: 443,
    wsman_port: 5986,
    status: 'unknown',
    source: 'api',
    created_at: 't',
    updated_at: 't',
    created_by: 'a',
    version: 1,
  } as const;
  const handshake = (cause: string) => ({
    fingerprint: {
      address: ep.address,
      reachable: false,
      protocols: {},
      device: { kind: 'unidentified' as const, summary: 'answers TLS, but nothing could be read to tell what it is' },
      generation: 'unknown' as const,
      generation_basis: 'none' as const,
      error: { code: 'tls_handshake' as const, message: `TLS handshake failed (${cause})`, details: { cause_code: cause } },
    },
  });

  it('a protocol-version refusal becomes tls_legacy_only, telling how to mark the endpoint legacy', () => {
    const after = applyCapabilities(
      { ...ep, tls: { insecure: false, legacy: false } },
      'now',
      handshake('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'),
    );
    expect(after.status).toBe('unreachable');
    expect(after.last_error).toMatchObject({ code: 'tls_legacy_only', details: { cause_code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' } });
    expect(after.last_error!.message).toContain('only TLS 1.0/1.1');
    expect(after.last_error!.message).toContain('PATCH /api/v1/dell/endpoints/idrac-old with {"tls": {"legacy": true}}');
  });

  it('stays tls_handshake when the endpoint is legacy already or the failure is not about the version', () => {
    expect(
      applyCapabilities({ ...ep, tls: { insecure: false, legacy: true } }, 'now', handshake('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'))
        .last_error!.code,
    ).toBe('tls_handshake');
    expect(
      applyCapabilities({ ...ep, tls: { insecure: false, legacy: false } }, 'now', handshake('ERR_SSL_WRONG_VERSION_NUMBER')).last_error!
        .code,
    ).toBe('tls_handshake');
  });
});
