import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointInfo, SimulatorFleet } from '../../infra/local/simulators';
import type { IdracClient } from '../../shared/adapters/idrac/idrac-client';
import { NO_PORT, startFleet, targetOf, testClient } from './helpers';

let fleet: SimulatorFleet;
let idrac9: EndpointInfo;
let idrac7: EndpointInfo;
let patient: IdracClient;
let impatient: IdracClient;

beforeAll(async () => {
  fleet = await startFleet({ count: 2, baseAddress: '127.48.0.1', generation: (i) => (i === 0 ? 'idrac9' : 'idrac7') });
  [idrac9, idrac7] = fleet.info() as [EndpointInfo, EndpointInfo];
  // Answers are asserted with a patient client (a loaded machine may be slow to answer); silence with a short one.
  patient = testClient({ connectTimeoutMs: 15_000 });
  impatient = testClient({ connectTimeoutMs: 300 });
});
afterAll(async () => {
  await Promise.all(fleet.endpoints.map((e) => e.clearFaults()));
  await fleet?.stop();
  await patient?.dispose();
  await impatient?.dispose();
});

/** A TCP server that keeps every byte it receives and never answers. */
async function recorder(): Promise<{ server: Server; port: number; received: () => Buffer }> {
  const chunks: Buffer[] = [];
  const server = createServer((socket) => socket.on('data', (d) => chunks.push(d)));
  await new Promise<void>((resolve) => server.listen(0, '127.48.1.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { server, port, received: () => Buffer.concat(chunks) };
}

describe('knock: whether anything answers TLS, for the price of a socket', () => {
  it('an iDRAC answers on its Redfish port; an iDRAC7 with no Redfish still answers TLS there', async () => {
    expect(await patient.knock(targetOf(idrac9))).toEqual({ answered: true, silent: false });
    expect(await patient.knock(targetOf(idrac7))).toEqual({ answered: true, silent: false });
  });

  it('an address that accepts TCP and never answers is silent; one where nothing listens refuses', async () => {
    await fleet.endpoint(0).setFault({ kind: 'hang' });
    expect(await impatient.knock(targetOf(idrac9))).toEqual({ answered: false, silent: true });
    await fleet.endpoint(0).clearFaults();
    expect(await patient.knock({ address: '127.48.0.250', redfishPort: NO_PORT, wsmanPort: NO_PORT, tls: {} })).toEqual({
      answered: false,
      silent: false,
    });
  });

  it('either port answering is enough: a silent Redfish port does not hide a WS-Man port that answers', async () => {
    await fleet.endpoint(1).setFault({ kind: 'hang' }, 'https');
    try {
      expect(await patient.knock(targetOf(idrac7))).toEqual({ answered: true, silent: false });
      expect(await impatient.knock({ ...targetOf(idrac7), wsmanPort: NO_PORT })).toEqual({ answered: false, silent: true });
    } finally {
      await fleet.endpoint(1).clearFaults();
    }
  });

  it('sends one TLS ClientHello and nothing else: no request, no credential', async () => {
    const silent = await recorder();
    try {
      await impatient.knock({ address: '127.48.1.1', redfishPort: silent.port, wsmanPort: NO_PORT, tls: {} });
      const bytes = silent.received();
      expect(bytes[0]).toBe(0x16); // a TLS handshake record...
      expect(bytes[5]).toBe(0x01); // ...holding a ClientHello
      expect(bytes.length).toBe(5 + bytes.readUInt16BE(3)); // one record, nothing after it
    } finally {
      silent.server.close();
    }
  });
});
