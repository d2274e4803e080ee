import { expect } from 'vitest';
import type { EndpointInfo } from '../../infra/local/simulators';
import type { Harness } from './harness';

/**
 * Registers a simulated iDRAC as an endpoint over the API, trusting its certificate as a lab does
 * (`insecure`), and refreshes it so its inventory is recorded; answers the refreshed endpoint. Trusting any
 * certificate, naming a credential and an address on loopback outside the site's networks: an admin's call.
 */
export async function registerSimulatedIdrac(
  h: Pick<Harness, 'call'>,
  id: string,
  idrac: Pick<EndpointInfo, 'address' | 'ports'>,
  on: { site_id: string; service_identity_id: string },
): Promise<Record<string, unknown>> {
  const reg = await h.call('POST', '/api/v1/dell/endpoints', {
    role: 'admin',
    body: {
      id,
      address: idrac.address,
      ...on,
      redfish_port: idrac.ports.https,
      tls: { insecure: true },
      outside_site_networks: { reason: 'simulated iDRAC on loopback' },
    },
  });
  expect(reg.status, reg.text).toBe(201);
  const refreshed = await h.call('POST', `/api/v1/dell/endpoints/${id}/refresh`, { role: 'operator' });
  expect(refreshed.status, refreshed.text).toBe(200);
  return refreshed.body;
}
