import { fixture, type Json, render } from '../../fixtures/load';
import type { NicIdentity } from '../../identity/identity';
import type { SimulatedHost } from '../../state/host';
import { isResetType } from '../../state/power';
import { withOffset } from '../format';
import { members, ok, redfishError } from '../result';
import type { RouteDef } from '../router';

const SYSTEM = '/redfish/v1/Systems/System.Embedded.1';
const RESET = 'ComputerSystem.Reset';

interface SystemsFixture {
  collection: Json;
  system: Json;
  ethernetInterfaces: Json;
  ethernetInterface: Json;
}

const templates = () => fixture<SystemsFixture>('redfish/systems.json');

export function systemResource(host: SimulatedHost): Json {
  const id = host.identity;
  return render(templates().system, {
    BiosVersion: host.biosVersion,
    HostName: id.hostName,
    LastResetTime: withOffset(host.power.lastResetTime),
    Model: id.profile.model,
    PartNumber: id.partNumber,
    PowerState: host.power.state,
    ServiceTag: id.serviceTag,
    SerialNumber: id.serialNumber,
    Health: host.health,
    HealthRollup: host.health,
    SystemUuid: id.systemUuid,
    BiosReleaseDate: id.profile.biosReleaseDate,
    ExpressServiceCode: id.expressServiceCode,
    PlatformGuid: id.platformGuid,
    SystemGeneration: id.profile.systemGeneration,
    SystemId: id.profile.systemId,
    SmbiosGuid: id.smbiosGuid,
  });
}

function nicResource(nic: NicIdentity): Json {
  return render(templates().ethernetInterface, {
    Id: nic.id,
    Description: nic.description,
    Mac: nic.mac,
    LinkStatus: nic.linkStatus,
    SpeedMbps: nic.speedMbps,
    IPv4Addresses: nic.ipv4 as unknown as Json,
    IPv4Count: nic.ipv4.length,
    UefiDevicePath: nic.uefiDevicePath,
    Status: nic.status,
    NicHostName: null,
  });
}

export function systemRoutes(): RouteDef[] {
  return [
    {
      method: 'GET',
      pattern: '/redfish/v1/Systems',
      handler: () => ok(render(templates().collection, { Members: members([SYSTEM]), MembersCount: 1 })),
    },
    { method: 'GET', pattern: SYSTEM, handler: ({ host }) => ok(systemResource(host)) },
    {
      method: 'POST',
      pattern: `${SYSTEM}/Actions/${RESET}`,
      privilege: 'ConfigureComponents',
      handler: ({ host, json }) => {
        const body = json();
        if (body === null) return redfishError(400, 'Base.MalformedJSON');
        const resetType = body?.ResetType;
        if (resetType === undefined) return redfishError(400, 'Base.ActionParameterMissing', [RESET, 'ResetType']);
        if (!isResetType(resetType)) {
          return redfishError(400, 'Base.ActionParameterValueNotInList', [String(resetType), 'ResetType', RESET]);
        }
        const refusal = host.power.reset(resetType);
        if (refusal) return redfishError(409, refusal);
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      pattern: `${SYSTEM}/EthernetInterfaces`,
      handler: ({ host }) => {
        const paths = host.identity.nics.map((n) => `${SYSTEM}/EthernetInterfaces/${n.id}`);
        return ok(render(templates().ethernetInterfaces, { Members: members(paths), MembersCount: paths.length }));
      },
    },
    {
      method: 'GET',
      pattern: `${SYSTEM}/EthernetInterfaces/:nic`,
      handler: ({ host, params, req }) => {
        const nic = host.identity.nics.find((n) => n.id === params.nic);
        return nic ? ok(nicResource(nic)) : redfishError(404, 'SYS403', [req.path]);
      },
    },
  ];
}
