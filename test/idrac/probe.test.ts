import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointInfo, SimulatorFleet } from '../../infra/local/simulators';
import type { IdracClient } from '../../shared/adapters/idrac/idrac-client';
import { CertificateMismatchError } from '../../shared/ports/idrac';
import { credentialOf, expectIdracError, startFleet, targetOf, testClient } from './helpers';

let fleet: SimulatorFleet;
let client: IdracClient;
let idrac9: EndpointInfo;
let idrac8: EndpointInfo;
let idrac7: EndpointInfo;
const GENERATIONS = ['idrac9', 'idrac8', 'idrac7'] as const;

beforeAll(async () => {
  fleet = await startFleet({ count: 4, baseAddress: '127.41.0.1', generation: (i) => GENERATIONS[i] ?? 'idrac9' });
  [idrac9, idrac8, idrac7] = fleet.info() as [EndpointInfo, EndpointInfo, EndpointInfo];
});
afterAll(() => fleet?.stop());

beforeAll(() => {
  client = testClient();
});
afterEach(async () => {
  await Promise.all(fleet.endpoints.map((e) => e.clearFaults()));
});
afterAll(() => client?.dispose());

describe('probe: capability fingerprint', () => {
  it('iDRAC9: Redfish 1.13.1 only, generation from the version, service tag and TLS 1.3 facts', async () => {
    const fp = await client.probe(targetOf(idrac9));
    expect(fp).toMatchObject({
      address: idrac9.address,
      reachable: true,
      protocols: { redfish: { version: '1.13.1', port: idrac9.ports.https } },
      generation: 'idrac9',
      generation_basis: 'redfish_version',
      service_tag: idrac9.serviceTag,
      tls: { protocol: 'TLSv1.3', thumbprint: idrac9.certificate.thumbprint, not_after: idrac9.certificate.notAfter },
    });
    expect(fp.protocols.wsman).toBeUndefined();
    // WS-Man not offered is not an error.
    expect(fp.error).toBeUndefined();
    expect(fp.protocol_errors).toBeUndefined();
  });

  it('iDRAC8: old Redfish (1.4.0) and WS-Man both answer; TLS 1.2', async () => {
    const fp = await client.probe(targetOf(idrac8));
    expect(fp).toMatchObject({
      reachable: true,
      protocols: {
        redfish: { version: '1.4.0' },
        wsman: { product: 'Fujitsu Technology Solutions', version: '1.0', port: idrac8.ports.wsman },
      },
      generation: 'idrac8',
      tls: { protocol: 'TLSv1.2', thumbprint: idrac8.certificate.thumbprint },
    });
    expect(fp.error).toBeUndefined();
  });

  it('iDRAC7: WS-Man only, over TLS 1.1 because the endpoint is marked legacy', async () => {
    const fp = await client.probe(targetOf(idrac7, { pinnedThumbprint: idrac7.certificate.thumbprint, legacy: true }));
    expect(fp).toMatchObject({
      reachable: true,
      protocols: { wsman: { product: 'Fujitsu Technology Solutions' } },
      generation: 'idrac7',
      generation_basis: 'protocols',
      tls: { protocol: 'TLSv1.1', thumbprint: idrac7.certificate.thumbprint },
    });
    expect(fp.protocols.redfish).toBeUndefined();
  });

  it('the generation guess agrees with what inventory states', async () => {
    for (const info of [idrac9, idrac8, idrac7]) {
      const target = targetOf(info);
      const [fp, inventory] = await Promise.all([client.probe(target), client.inventory(target, credentialOf(info))]);
      expect(inventory.generation).toBe(info.generation);
      expect(fp.generation).toBe(info.generation);
    }
  });
});

describe('probe: TLS trust', () => {
  it('a legacy-only iDRAC is unreachable unless marked legacy, and the error says how to fix it', async () => {
    const fp = await client.probe(targetOf(idrac7, { pinnedThumbprint: idrac7.certificate.thumbprint, legacy: false }));
    expect(fp.reachable).toBe(false);
    expect(fp.error?.code).toBe('tls_handshake');
    expect(fp.error?.message).toMatch(/legacy/);
    expect(fp.protocol_errors?.wsman?.code).toBe('tls_handshake');
    // Marked legacy, the same endpoint answers (and inventory works over WS-Man).
    const legacy = targetOf(idrac7, { pinnedThumbprint: idrac7.certificate.thumbprint, legacy: true });
    expect((await client.probe(legacy)).reachable).toBe(true);
  });

  it('without a pin or CA, a self-signed iDRAC is refused and its thumbprint reported (trust on first use)', async () => {
    const fp = await client.probe(targetOf(idrac9, {}));
    expect(fp.reachable).toBe(false);
    expect(fp.error).toMatchObject({ code: 'certificate_untrusted', details: { actual_thumbprint: idrac9.certificate.thumbprint } });
    expect(fp.tls?.thumbprint).toBe(idrac9.certificate.thumbprint);
    // Pinning what was seen reaches it.
    const pinned = await client.probe(targetOf(idrac9, { pinnedThumbprint: fp.tls!.thumbprint }));
    expect(pinned.reachable).toBe(true);
  });

  it('trust on first use: one probe reaches a self-signed iDRAC and reports the thumbprint to pin', async () => {
    const fp = await client.probe(targetOf(idrac8, { trustOnFirstUse: true }));
    expect(fp.reachable).toBe(true);
    expect(fp.protocols.redfish && fp.protocols.wsman).toBeTruthy();
    expect(fp.tls?.thumbprint).toBe(idrac8.certificate.thumbprint);
    expect(fp.error).toBeUndefined();
  });

  it('accepts a pin in any case, with or without colons', async () => {
    const loose = idrac9.certificate.thumbprint.replace(/:/g, '').toLowerCase();
    expect((await client.probe(targetOf(idrac9, { pinnedThumbprint: loose }))).reachable).toBe(true);
  });

  it('a CA bundle verifies chain and address', async () => {
    const fp = await client.probe(targetOf(idrac8, { caPem: idrac8.certificate.pem }));
    expect(fp.reachable).toBe(true);
    // The bundle of another endpoint does not vouch for this one.
    const wrong = await client.probe(targetOf(idrac8, { caPem: idrac9.certificate.pem }));
    expect(wrong.reachable).toBe(false);
    expect(wrong.error?.code).toBe('certificate_untrusted');
  });

  it('insecure is an explicit opt-in that trusts whatever is presented', async () => {
    const fp = await client.probe(targetOf(idrac9, { insecure: true }));
    expect(fp.reachable).toBe(true);
    expect(fp.tls?.thumbprint).toBe(idrac9.certificate.thumbprint);
  });

  it('wrong certificate: the pinned connection is refused naming expected and actual thumbprints', async () => {
    const endpoint = fleet.endpoint(0);
    await endpoint.setFault({ kind: 'wrong-cert' });
    const target = targetOf(idrac9);
    const fp = await client.probe(target);
    expect(fp.reachable).toBe(false);
    expect(fp.error).toMatchObject({
      code: 'certificate_mismatch',
      details: { expected_thumbprint: idrac9.certificate.thumbprint, actual_thumbprint: idrac9.wrongCertificate.thumbprint },
    });
    expect(fp.error?.message).toContain(idrac9.certificate.thumbprint);
    expect(fp.error?.message).toContain(idrac9.wrongCertificate.thumbprint);
    expect(fp.tls?.thumbprint).toBe(idrac9.wrongCertificate.thumbprint);

    const error = await expectIdracError(client.inventory(target, credentialOf(idrac9)), 'certificate_mismatch');
    expect(error).toBeInstanceOf(CertificateMismatchError);
    expect((error as CertificateMismatchError).expected).toBe(idrac9.certificate.thumbprint);
    expect((error as CertificateMismatchError).actual).toBe(idrac9.wrongCertificate.thumbprint);

    await endpoint.clearFaults();
    expect((await client.probe(target)).reachable).toBe(true);
  });
});

describe('probe: dead and broken endpoints', () => {
  it('no listener: unreachable (connection refused), no TLS facts', async () => {
    await fleet.endpoint(3).setFault({ kind: 'closed' });
    const fp = await client.probe(targetOf(fleet.endpoint(3).info()));
    expect(fp).toMatchObject({ reachable: false, generation: 'unknown', generation_basis: 'none', error: { code: 'unreachable' } });
    expect(fp.tls).toBeUndefined();
  });

  it('an address where nothing was ever started: unreachable', async () => {
    const fp = await client.probe({ address: '127.41.0.200', redfishPort: 443, wsmanPort: 5986, tls: {} });
    expect(fp.reachable).toBe(false);
    expect(fp.error?.code).toBe('unreachable');
  });

  it('probe never throws, whatever the endpoint does', async () => {
    const endpoint = fleet.endpoint(3);
    for (const fault of [{ kind: 'reset' } as const, { kind: 'hang' } as const, { kind: 'malformed' } as const]) {
      await endpoint.setFault(fault);
      const fp = await client.probe(targetOf(endpoint.info()));
      expect(fp.reachable, fault.kind).toBe(false);
      expect(fp.error?.code, fault.kind).toBe({ reset: 'connection_reset', hang: 'timeout', malformed: 'malformed_response' }[fault.kind]);
    }
  });
});
