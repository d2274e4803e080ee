import { beforeEach, describe, expect, it } from 'vitest';
import { placeInNetworks } from '../../shared/domain/cidr';
import { adminOnlyInSiteUpdate, type Caller, credentialWithheld } from '../../shared/domain/credential-reach';
import { DellEndpointCreate, DellEndpointUpdate } from '../../shared/domain/dell-endpoint';
import { ForbiddenError, ValidationError } from '../../shared/domain/errors';
import { SiteCreate, SiteUpdate } from '../../shared/domain/site';
import { listAudit } from '../../shared/records/audit';
import { idracCredentialVerifier, refreshDellEndpoint } from '../../shared/usecases/dell-endpoints';
import { createServiceIdentity } from '../../shared/usecases/service-identities';
import { changeDellEndpoint, changeSite, registerDellEndpoint, registerSite } from '../../shared/usecases/trust-changes';
import { ManualClock, MemorySecrets } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';
import { FakeIdrac } from './fake-idrac';

const admin: Caller = { subject: 'ada', role: 'admin' };
const operator: Caller = { subject: 'otto', role: 'operator' };
let deps: { store: MemoryStore; clock: ManualClock; secrets: MemorySecrets; idrac: FakeIdrac };

const register = (caller: Caller, body: Record<string, unknown>) => registerDellEndpoint(deps, DellEndpointCreate.parse(body), caller);
const patch = (caller: Caller, id: string, body: Record<string, unknown>) =>
  changeDellEndpoint(deps, id, DellEndpointUpdate.parse(body), caller);
const refusal = async (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

beforeEach(async () => {
  deps = { store: new MemoryStore(), clock: new ManualClock(), secrets: new MemorySecrets(), idrac: new FakeIdrac() };
  for (const id of ['si-site', 'si-other'])
    await createServiceIdentity(deps, { id, name: id, description: '', target_kind: 'idrac', username: 'root', secret: 'pw' }, 'ada');
  await registerSite(
    deps,
    SiteCreate.parse({ id: 'site-a', name: 'A', management_networks: ['10.0.0.0/8', '10.1.0.0/28'], idrac_service_identity_id: 'si-site' }),
    admin,
  );
});

describe('where an address lies among management networks', () => {
  it('is a host of the most specific network, outside, or a network or broadcast address', () => {
    expect(placeInNetworks('10.45.12.17', ['10.0.0.0/8'])).toEqual({ kind: 'host', network: '10.0.0.0/8' });
    expect(placeInNetworks('192.168.1.1', ['10.0.0.0/8', '2001:db8::/32'])).toEqual({ kind: 'outside' });
    expect(placeInNetworks('10.255.255.255', ['10.0.0.0/8'])).toMatchObject({
      kind: 'not_a_host',
      reason: expect.stringContaining('broadcast'),
    });
    expect(placeInNetworks('10.0.0.0', ['10.0.0.0/8'])).toMatchObject({
      kind: 'not_a_host',
      reason: expect.stringContaining('network address'),
    });
    expect(placeInNetworks('10.1.0.15', ['10.0.0.0/8', '10.1.0.0/28'])).toMatchObject({ kind: 'not_a_host', network: '10.1.0.0/28' });
    expect(placeInNetworks('10.1.0.16', ['10.0.0.0/8', '10.1.0.0/28'])).toEqual({ kind: 'host', network: '10.0.0.0/8' });
    // A /31 and a /32 have no network or broadcast address to refuse.
    expect(placeInNetworks('10.9.0.1', ['10.9.0.0/31'])).toMatchObject({ kind: 'host' });
    expect(placeInNetworks('10.9.0.7', ['10.9.0.7/32'])).toMatchObject({ kind: 'host' });
  });
});

describe('an endpoint address lies within its site management networks', () => {
  it('outside them is a 400 naming body.address, for an admin too unless an override says why', async () => {
    for (const caller of [operator, admin]) {
      const e = await refusal(register(caller, { address: '192.168.7.7', site_id: 'site-a' }));
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).details).toEqual([{ path: 'body.address', message: expect.stringContaining('outside_site_networks') }]);
    }
  });

  it('a broadcast or network address of a site network is refused, override or not', async () => {
    for (const address of ['10.255.255.255', '10.1.0.15', '10.0.0.0']) {
      const e = await refusal(register(admin, { address, site_id: 'site-a', outside_site_networks: { reason: 'lab' } }));
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).message).toMatch(/broadcast address|network address/);
    }
  });

  it('an admin override is recorded on the endpoint and in its audit entry; an operator asking for one gets 403', async () => {
    const refused = await refusal(
      register(operator, { address: '192.168.7.7', site_id: 'site-a', outside_site_networks: { reason: 'x' } }),
    );
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect((refused as ForbiddenError).message).toContain('body.outside_site_networks');
    const ep = await register(admin, {
      id: 'idrac-oob',
      address: '192.168.7.7',
      site_id: 'site-a',
      outside_site_networks: { reason: 'out-of-band rack, CHG-123' },
    });
    const allowance = { reason: 'out-of-band rack, CHG-123', address: '192.168.7.7', approved_by: 'ada', approved_at: expect.any(String) };
    expect(ep.outside_site_networks).toEqual(allowance);
    const [created] = (await listAudit(deps.store, 'idrac-oob', { limit: 5 })).items;
    expect(created).toMatchObject({ action: 'dell_endpoint.created', detail: { outside_site_networks: allowance } });
  });

  it('moving an endpoint drops its override: a new outside address needs a new one, and an operator cannot give it', async () => {
    await register(admin, { id: 'idrac-oob', address: '192.168.7.7', site_id: 'site-a', outside_site_networks: { reason: 'r' } });
    expect(await refusal(patch(admin, 'idrac-oob', { address: '192.168.7.8' }))).toBeInstanceOf(ValidationError);
    expect(await refusal(patch(operator, 'idrac-oob', { address: '192.168.7.8', outside_site_networks: { reason: 'r' } }))).toBeInstanceOf(
      ForbiddenError,
    );
    const inside = await patch(operator, 'idrac-oob', { address: '10.2.0.7' });
    expect(inside.outside_site_networks).toBeUndefined();
    expect(await refusal(patch(operator, 'idrac-oob', { address: '10.255.255.255' }))).toBeInstanceOf(ValidationError);
  });
});

describe('trust and credential choices are admin-only', () => {
  it('an operator may register inside the networks with the site credential and no trust settings', async () => {
    await expect(register(operator, { address: '10.0.0.5', site_id: 'site-a', service_identity_id: 'si-site' })).resolves.toMatchObject({
      created_by: 'otto',
    });
  });

  it('insecure, a CA, a pin, legacy TLS or another credential: 403 naming each field and admin', async () => {
    const e = await refusal(
      register(operator, {
        address: '10.0.0.6',
        site_id: 'site-a',
        service_identity_id: 'si-other',
        tls: { insecure: true, legacy: true, pinned_thumbprint: 'AB'.repeat(32) },
      }),
    );
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).message).toContain("'admin' is needed");
    expect(((e as ForbiddenError).details as Array<{ path: string }>).map((d) => d.path)).toEqual([
      'body.tls.insecure',
      'body.tls.pinned_thumbprint',
      'body.tls.legacy',
      'body.service_identity_id',
    ]);
    await expect(
      register(admin, { address: '10.0.0.6', site_id: 'site-a', service_identity_id: 'si-other', tls: { insecure: true } }),
    ).resolves.toMatchObject({ tls: { insecure: true } });
  });

  it('on PATCH: a pin reset, a CA, insecure, legacy or another credential need admin; tightening does not', async () => {
    await register(admin, { id: 'idrac-1', address: '10.0.0.7', site_id: 'site-a', tls: { pinned_thumbprint: 'AB'.repeat(32) } });
    for (const body of [
      { tls: { pinned_thumbprint: null } },
      { tls: { ca_pem: '-----BEGIN CERTIFICATE-----x' } },
      { tls: { insecure: true } },
      { tls: { legacy: true } },
      { service_identity_id: 'si-other' },
    ])
      expect(await refusal(patch(operator, 'idrac-1', body))).toBeInstanceOf(ForbiddenError);
    await expect(patch(operator, 'idrac-1', { tls: { insecure: false, legacy: false }, service_identity_id: null })).resolves.toMatchObject(
      {
        tls: { pinned_thumbprint: expect.any(String), insecure: false },
      },
    );
    await expect(patch(operator, 'idrac-1', { service_identity_id: 'si-site' })).resolves.toMatchObject({ service_identity_id: 'si-site' });
  });

  it("a site's networks, credential and trust on first use are an admin's; its name and exclusions an operator's", async () => {
    const created = await refusal(
      registerSite(deps, SiteCreate.parse({ name: 'x', management_networks: ['10.0.0.0/8'], trust_on_first_use: true }), operator),
    );
    expect(created).toBeInstanceOf(ForbiddenError);
    expect(((created as ForbiddenError).details as Array<{ path: string }>).map((d) => d.path)).toEqual([
      'body.management_networks',
      'body.trust_on_first_use',
    ]);
    await expect(registerSite(deps, SiteCreate.parse({ id: 'site-plain', name: 'plain' }), operator)).resolves.toMatchObject({
      id: 'site-plain',
    });
    for (const body of [{ management_networks: [] }, { idrac_service_identity_id: 'si-other' }, { trust_on_first_use: true }])
      expect(await refusal(changeSite(deps, 'site-a', SiteUpdate.parse(body), operator))).toBeInstanceOf(ForbiddenError);
    await expect(
      changeSite(deps, 'site-a', SiteUpdate.parse({ name: 'A2', discovery_exclusions: ['10.0.0.9'], trust_on_first_use: false }), operator),
    ).resolves.toMatchObject({ name: 'A2' });
    expect(adminOnlyInSiteUpdate(SiteUpdate.parse({ idrac_service_identity_id: null }))).toEqual([]);
  });
});

describe('a credential is withheld from an address outside the site networks, checked at each use', () => {
  it('after the site networks shrink, refresh and verify send nothing there and say why', async () => {
    deps.idrac.behaviour.set('10.0.0.8', 'idrac9');
    await register(operator, { id: 'idrac-8', address: '10.0.0.8', site_id: 'site-a' });
    await changeSite(deps, 'site-a', SiteUpdate.parse({ management_networks: ['10.1.0.0/28'] }), admin);
    const ep = await refreshDellEndpoint(deps, 'idrac-8');
    expect(ep.status).toBe('reachable');
    expect(ep.last_error).toMatchObject({ code: 'credential_withheld', message: expect.stringContaining('outside site') });
    const verified = await idracCredentialVerifier(deps).verify(
      { id: 'si-site', name: 'si-site', target_kind: 'idrac', username: 'root' } as never,
      'pw',
    );
    expect(verified.result).toBe('unavailable');
    expect(deps.idrac.credentialed).toEqual([]);
    expect(credentialWithheld({ address: '10.0.0.8' }, undefined)).toBeTruthy();
  });

  it('an admin override for the address lets it through; for another address it does not', () => {
    const site = { id: 's', management_networks: ['10.0.0.0/24'] } as never;
    const allowed = { reason: 'r', address: '192.168.1.1', approved_by: 'ada', approved_at: 't' };
    expect(credentialWithheld({ address: '192.168.1.1', outside_site_networks: allowed }, site)).toBeUndefined();
    expect(credentialWithheld({ address: '192.168.1.2', outside_site_networks: allowed }, site)).toContain('outside');
    expect(credentialWithheld({ address: '10.0.0.255' }, site)).toContain('broadcast');
  });
});
