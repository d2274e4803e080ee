import { fixture, type Json, render } from '../../fixtures/load';
import type { RedfishFlavor } from '../../identity/profiles';
import type { SimulatedHost } from '../../state/host';
import { ok } from '../result';
import type { RouteDef } from '../router';

type JsonObject = { [key: string]: Json };

export function serviceRoot(host: SimulatedHost, flavor: RedfishFlavor): Json {
  const root = render(fixture<Json>('redfish/service-root.json'), {
    IdracMac: host.identity.idracMac,
    ServiceTag: host.identity.serviceTag,
    RedfishVersion: host.identity.profile.redfishVersion,
  }) as JsonObject;
  if (flavor === 'legacy') {
    // iDRAC7/8 2.x: an older service without the job service, telemetry or query-parameter support.
    for (const key of ['JobService', 'TelemetryService', 'ProtocolFeaturesSupported', 'Fabrics', 'CertificateService']) delete root[key];
  }
  return root;
}

export function serviceRootRoutes(flavor: RedfishFlavor): RouteDef[] {
  return [
    { method: 'GET', pattern: '/redfish', public: true, handler: () => ok({ v1: '/redfish/v1/' }) },
    { method: 'GET', pattern: '/redfish/v1', public: true, handler: ({ host }) => ok(serviceRoot(host, flavor)) },
  ];
}
