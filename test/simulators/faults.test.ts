import { connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointInfo, SimulatedEndpoint, SimulatorFleet } from '../../infra/local/simulators';
import { agentFor, basic, call, extendedInfo, failureCode, origin, startFleet } from './helpers';
import { DCIM, enumerateXml, identifyXml, post } from './wsman-client';

const SYSTEM = '/redfish/v1/Systems/System.Embedded.1';

let fleet: SimulatorFleet;
let endpoint: SimulatedEndpoint;
let info: EndpointInfo;

beforeAll(async () => {
  fleet = await startFleet({ count: 1, baseAddress: '127.35.0.1', generation: 'idrac8' });
  endpoint = fleet.endpoint(0);
  info = endpoint.info();
});
afterEach(() => endpoint.clearFaults());
afterAll(() => fleet.stop());

const get = (path = SYSTEM, timeouts?: { headersTimeout?: number; connectTimeout?: number }) =>
  call(agentFor(info, timeouts), origin(info), path, { auth: basic(info) });
const wsman = (xml = enumerateXml(info.urls.wsman!, `${DCIM}DCIM_SystemView`, 10)) =>
  post(agentFor(info), info.urls.wsman!, xml, [info.credentials.username, info.credentials.password]);

describe('fault injection, observed from a client', () => {
  it('closed: nothing listens (connection refused) until cleared', async () => {
    await endpoint.setFault({ kind: 'closed' });
    expect(await failureCode(get())).toContain('ECONNREFUSED');
    expect(await failureCode(wsman())).toContain('ECONNREFUSED');
    await endpoint.clearFaults();
    expect((await get()).status).toBe(200);
  });

  it('hang at TCP: the connection is accepted but TLS never completes', async () => {
    await endpoint.setFault({ kind: 'hang' });
    expect(await failureCode(get(SYSTEM, { connectTimeout: 300 }))).toContain('UND_ERR_CONNECT_TIMEOUT');
  });

  it('hang at HTTP: the request is read and never answered', async () => {
    await endpoint.setFault({ kind: 'hang', stage: 'http' });
    expect(await failureCode(get(SYSTEM, { headersTimeout: 300 }))).toContain('UND_ERR_HEADERS_TIMEOUT');
  });

  it('slow: too slow for an impatient client, fine for a patient one', async () => {
    await endpoint.setFault({ kind: 'slow', delayMs: 1_000 });
    // An abort signal, not headersTimeout: undici's own timers tick at ~1 s for header timeouts.
    const impatient = call(agentFor(info), origin(info), SYSTEM, { auth: basic(info), signal: AbortSignal.timeout(200) });
    await expect(impatient).rejects.toHaveProperty('name', 'TimeoutError');
    const patient = await get(SYSTEM, { headersTimeout: 5_000 });
    expect(patient.status).toBe(200);
    expect(patient.json.SKU).toBe(info.serviceTag);
  });

  it('http-error: 5xx in each protocol’s own error shape', async () => {
    await endpoint.setFault({ kind: 'http-error' });
    const redfish = await get();
    expect(redfish.status).toBe(500);
    expect(redfish.json.error.code).toBe('Base.1.12.GeneralError');
    const soap = await wsman();
    expect(soap.status).toBe(500);
    expect(soap.text).toContain('<s:Value>s:Receiver</s:Value>');
    await endpoint.setFault({ kind: 'http-error', status: 503 });
    const busy = await get();
    expect(busy.status).toBe(503);
    expect(extendedInfo(busy.json).MessageId).toBe('Base.1.12.ServiceTemporarilyUnavailable');
  });

  it('malformed: 200 with JSON / XML cut short', async () => {
    await endpoint.setFault({ kind: 'malformed' });
    const redfish = await get();
    expect(redfish.status).toBe(200);
    expect(redfish.headers['content-type']).toContain('application/json');
    expect(() => JSON.parse(redfish.text)).toThrow();
    const soap = await wsman();
    expect(soap.status).toBe(200);
    expect(soap.text.startsWith('<?xml')).toBe(true);
    expect(soap.text).not.toContain('</s:Envelope>');
  });

  it('reset: RST on connect, or after the request was read', async () => {
    await endpoint.setFault({ kind: 'reset' });
    expect(await failureCode(get())).toContain('ECONNRESET');
    await endpoint.setFault({ kind: 'reset', stage: 'http' });
    expect(await failureCode(get())).toContain('ECONNRESET');
  });

  it('wrong-cert: a pinned client refuses; the impostor shows another thumbprint for the same name', async () => {
    await endpoint.setFault({ kind: 'wrong-cert' });
    // OpenSSL's verdict on a self-signed leaf that is not the trusted one.
    expect(await failureCode(get())).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(info.wrongCertificate.thumbprint).not.toBe(info.certificate.thumbprint);
    const presented = await new Promise<string>((resolve, reject) => {
      // Trust the impostor only to read what it presents.
      const socket = tlsConnect({ host: info.address, port: info.ports.https, ca: info.wrongCertificate.pem }, () => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.destroy();
      });
      socket.on('error', reject);
    });
    expect(presented).toBe(info.wrongCertificate.thumbprint);
    await endpoint.clearFaults();
    expect((await get()).status).toBe(200);
  });

  it('limits a fault to matching paths and to a number of requests', async () => {
    await endpoint.setFault({ kind: 'http-error', status: 502, match: /FirmwareInventory/, times: 2 });
    expect((await get()).status).toBe(200);
    expect((await get('/redfish/v1/UpdateService/FirmwareInventory')).status).toBe(502);
    expect((await get('/redfish/v1/UpdateService/FirmwareInventory')).status).toBe(502);
    expect((await get('/redfish/v1/UpdateService/FirmwareInventory')).status).toBe(200);
    expect(endpoint.faultOn('https')).toBeUndefined();
  });

  it('targets one port: WS-Man down while Redfish answers', async () => {
    await endpoint.setFault({ kind: 'closed' }, 'wsman');
    expect(await failureCode(post(agentFor(info), info.urls.wsman!, identifyXml(info.urls.wsman!)))).toContain('ECONNREFUSED');
    expect((await get()).status).toBe(200);
  });
});
