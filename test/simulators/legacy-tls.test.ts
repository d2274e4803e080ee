import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EndpointInfo, legacyClientTlsOptions, type SimulatorFleet } from '../../infra/local/simulators';
import { basic, call, origin, pinnedAgent, startFleet } from './helpers';

let fleet: SimulatorFleet;
let tls10: EndpointInfo;
let tls11: EndpointInfo;
let modern: EndpointInfo;
let idrac7: EndpointInfo;

beforeAll(async () => {
  fleet = await startFleet({
    count: 4,
    baseAddress: '127.36.0.1',
    generation: (i) => (['idrac8', 'idrac8', 'idrac9', 'idrac7'] as const)[i]!,
    endpoint: (i) => (i === 0 ? { maxTlsVersion: 'TLSv1' } : i === 1 ? { maxTlsVersion: 'TLSv1.1' } : {}),
  });
  [tls10, tls11, modern, idrac7] = fleet.info() as [EndpointInfo, EndpointInfo, EndpointInfo, EndpointInfo];
});
afterAll(() => fleet.stop());

/** The negotiated protocol, or the error code, of one handshake with the endpoint's pinned certificate. */
function handshake(info: EndpointInfo, extra: ConnectionOptions = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: info.address, port: info.ports.https, ca: info.certificate.pem, ...extra }, () => {
      resolve(socket.getProtocol() ?? 'unknown');
      socket.destroy();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('legacy TLS (iDRAC7/8 limited to TLS 1.0/1.1)', () => {
  it('a default Node 20 client cannot reach a TLS 1.0-only or 1.1-only endpoint', async () => {
    expect(await handshake(tls10)).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    expect(await handshake(tls11)).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  });

  it('minVersion alone is not enough: OpenSSL 3 refuses the legacy signature at its default security level', async () => {
    expect(await handshake(tls10, { minVersion: 'TLSv1' })).toBe('ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED');
  });

  it('minVersion TLSv1 plus @SECLEVEL=0 ciphers, per connection, negotiates TLS 1.0 and 1.1', async () => {
    expect(await handshake(tls10, { ...legacyClientTlsOptions })).toBe('TLSv1');
    expect(await handshake(tls11, { ...legacyClientTlsOptions })).toBe('TLSv1.1');
    // The same options do not downgrade a modern endpoint.
    expect(await handshake(modern, { ...legacyClientTlsOptions })).toBe('TLSv1.3');
  });

  it('undici works over TLS 1.0 with the legacy options and a pinned certificate', async () => {
    const agent = pinnedAgent(tls10.certificate.pem, tls10.certificate.thumbprint, { ...legacyClientTlsOptions });
    const res = await call(agent, origin(tls10), '/redfish/v1/Systems/System.Embedded.1', { auth: basic(tls10) });
    expect(res.status).toBe(200);
    expect(res.json.SKU).toBe(tls10.serviceTag);
  });

  it('a simulated iDRAC7 is legacy by default (TLS 1.1 at most); iDRAC9 offers TLS 1.3', async () => {
    expect(idrac7.maxTlsVersion).toBe('TLSv1.1');
    expect(await handshake(idrac7)).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    expect(await handshake(idrac7, { ...legacyClientTlsOptions })).toBe('TLSv1.1');
    expect(modern.maxTlsVersion).toBe('TLSv1.3');
  });
});
