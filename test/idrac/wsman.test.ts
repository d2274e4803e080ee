import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointInfo, SimulatorFleet } from '../../infra/local/simulators';
import { resolveOptions } from '../../shared/adapters/idrac/options';
import { AnchorCache } from '../../shared/adapters/idrac/tls/anchors';
import { EndpointPools } from '../../shared/adapters/idrac/transport/endpoint-pools';
import { HttpTransport } from '../../shared/adapters/idrac/transport/http';
import { ResilienceRegistry } from '../../shared/adapters/idrac/transport/resilience';
import { type DcimClass, WsmanClient } from '../../shared/adapters/idrac/wsman/wsman-client';
import { cimInstance, parseEnvelope, WsmanFault } from '../../shared/adapters/idrac/wsman/xml';
import { IdracError } from '../../shared/ports/idrac';
import { credentialOf, expectIdracError, LogRecorder, startFleet, targetOf } from './helpers';

let fleet: SimulatorFleet;
let info: EndpointInfo;
let pools: EndpointPools;
let wsman: WsmanClient;

beforeAll(async () => {
  fleet = await startFleet({ count: 1, baseAddress: '127.46.0.1', generation: 'idrac8' });
  info = fleet.endpoint(0).info();
  const options = resolveOptions({ log: new LogRecorder(), retries: 0 });
  pools = new EndpointPools(options, new AnchorCache());
  wsman = new WsmanClient(new HttpTransport(pools, new ResilienceRegistry(options)), options.log);
});
afterAll(async () => {
  await pools?.closeAll();
  await fleet?.stop();
});

const port = () => info.ports.wsman!;

describe('WS-Man client against the simulated iDRAC8', () => {
  it('Identify needs no credential', async () => {
    expect(await wsman.identify(targetOf(info), port(), { retry: false })).toEqual({
      vendor: 'Fujitsu Technology Solutions',
      version: '1.0',
      protocolVersion: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
    });
  });

  it('Enumerate + Pull until EndOfSequence returns every instance, whatever the page size', async () => {
    const all = await wsman.enumerate(targetOf(info), port(), credentialOf(info), 'DCIM_SoftwareIdentity', 50);
    expect(all.length).toBe(fleet.endpoint(0).host.inventory.entries().length);
    for (const pageSize of [1, 3, 7]) {
      expect(await wsman.enumerate(targetOf(info), port(), credentialOf(info), 'DCIM_SoftwareIdentity', pageSize)).toEqual(all);
    }
  });

  it('reads CIM properties as strings and nil as null', async () => {
    const [system] = await wsman.enumerate(targetOf(info), port(), credentialOf(info), 'DCIM_SystemView', 5);
    expect(system).toMatchObject({
      ServiceTag: info.serviceTag,
      UUID: info.systemUuid,
      PowerState: '2',
      SystemGeneration: '13G Monolithic',
    });
    const software = await wsman.enumerate(targetOf(info), port(), credentialOf(info), 'DCIM_SoftwareIdentity', 50);
    expect(software.some((s) => s.DeviceID === null)).toBe(true);
  });

  it('an unknown class is a typed fault (DestinationUnreachable / InvalidResourceURI)', async () => {
    const error = await expectIdracError(
      wsman.enumerate(targetOf(info), port(), credentialOf(info), 'DCIM_NoSuchView' as DcimClass, 5),
      'protocol_fault',
    );
    expect(error).toBeInstanceOf(WsmanFault);
    expect((error as WsmanFault).invalidResourceUri).toBe(true);
    expect((error as WsmanFault).subcode).toBe('wsa:DestinationUnreachable');
  });

  it('a wrong credential is a bare 401, reported as credential_rejected', async () => {
    await expectIdracError(
      wsman.enumerate(targetOf(info), port(), { username: 'root', password: 'nope' }, 'DCIM_SystemView', 5),
      'credential_rejected',
    );
  });
});

describe('SOAP parsing', () => {
  const fault = (subcode: string) =>
    `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsen="x" xmlns:wsman="y"><s:Body><s:Fault>` +
    `<s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>${subcode}</s:Value></s:Subcode></s:Code>` +
    `<s:Reason><s:Text xml:lang="en">The supplied enumeration context is invalid.</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`;

  it('a fault becomes a WsmanFault carrying code, subcode and reason', () => {
    let caught: unknown;
    try {
      parseEnvelope(fault('wsen:InvalidEnumerationContext'), '127.46.0.9', 'Pull DCIM_NICView', 400);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WsmanFault);
    const f = caught as WsmanFault;
    expect(f).toMatchObject({ code: 'protocol_fault', faultCode: 's:Sender', subcode: 'wsen:InvalidEnumerationContext', httpStatus: 400 });
    expect(f.invalidContext).toBe(true);
    expect(f.message).toContain('The supplied enumeration context is invalid.');
  });

  it('cut-off XML is a malformed_response naming the call, never a partial result', () => {
    const whole = fault('wsen:InvalidEnumerationContext');
    expect(() => parseEnvelope(whole.slice(0, whole.length / 2), '127.46.0.9', 'Enumerate DCIM_SystemView', 200)).toThrow(
      expect.objectContaining({
        code: 'malformed_response',
        message: expect.stringMatching(/malformed XML for Enumerate DCIM_SystemView/),
      }),
    );
    expect(() => parseEnvelope('<a/>', '127.46.0.9', 'Identify', 200)).toThrow(IdracError);
  });

  it('decodes character references in values', () => {
    const xml =
      `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:n1="x"><s:Body><n1:Items><n1:DCIM_SystemView>` +
      `<n1:HostName>O&#39;Brien&#x27;s &amp; co &#233;</n1:HostName></n1:DCIM_SystemView></n1:Items></s:Body></s:Envelope>`;
    const body = parseEnvelope(xml, '127.46.0.9', 'Pull DCIM_SystemView', 200);
    expect(cimInstance((body.Items as Record<string, unknown>).DCIM_SystemView)).toEqual({ HostName: "O'Brien's & co é" });
  });

  it('cimInstance keeps strings as text (no number coercion) and repeated elements as lists', () => {
    expect(cimInstance({ Version: '1.0', Mac: '00:11', Nil: { '@nil': 'true' }, Multi: ['a', 'b'], '@ignored': 'x' })).toEqual({
      Version: '1.0',
      Mac: '00:11',
      Nil: null,
      Multi: ['a', 'b'],
    });
  });
});
