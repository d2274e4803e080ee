import { fixture, type Json, render } from '../../fixtures/load';
import type { RedfishFlavor } from '../../identity/profiles';
import { entryId } from '../../state/firmware';
import type { SimulatedHost } from '../../state/host';
import { withOffset } from '../format';
import { members, ok, redfishError, successInfo } from '../result';
import type { RouteDef } from '../router';
import { jobsPath } from './jobs';

const MANAGER = '/redfish/v1/Managers/iDRAC.Embedded.1';
const NIC = `${MANAGER}/EthernetInterfaces/NIC.1`;
const JOB_SERVICE = `${MANAGER}/Oem/Dell/DellJobService`;
const LC_SERVICE = `${MANAGER}/Oem/Dell/DellLCService`;

interface ManagersFixture {
  collection: Json;
  manager: Json;
  ethernetInterfaces: Json;
  nic: Json;
  dellJobService: Json;
  dellLcService: Json;
}

const templates = () => fixture<ManagersFixture>('redfish/managers.json');
type JsonObject = { [key: string]: Json };

export function managerResource(host: SimulatedHost, flavor: RedfishFlavor): Json {
  const idrac = host.inventory.component('iDRAC.Embedded.1-1');
  const images = idrac
    ? [
        ...(idrac.previousVersion ? [entryId('Previous', idrac, idrac.previousVersion)] : []),
        entryId('Installed', idrac, idrac.version),
      ].map((id) => `/redfish/v1/UpdateService/FirmwareInventory/${id}`)
    : [];
  const manager = render(templates().manager, {
    ActiveSoftwareImage: { '@odata.id': images[images.length - 1] ?? '' },
    SoftwareImages: members(images),
    SoftwareImagesCount: images.length,
    FirmwareVersion: host.idracFirmware,
    ManagerModel: host.identity.profile.systemGeneration,
    PlatformGuid: host.identity.platformGuid,
    DateTime: withOffset(new Date()),
    ManagerLastResetTime: withOffset(host.managerLastResetTime),
    IdracUrl: host.publicUrl,
  }) as JsonObject;
  const dellLinks = ((manager.Links as JsonObject).Oem as JsonObject).Dell as JsonObject;
  dellLinks.Jobs = { '@odata.id': jobsPath(flavor) };
  return manager;
}

function remoteServicesStatus(host: SimulatedHost): Json {
  const lcStatus = host.lifecycleBusy ?? (host.jobs.list().some((j) => j.state === 'Running') ? 'InUse' : 'Ready');
  const busy = lcStatus !== 'Ready';
  const power = host.power.state;
  return {
    ...(successInfo(200).body as JsonObject),
    LCStatus: lcStatus,
    RTStatus: 'Ready',
    ServerStatus: power === 'Off' || power === 'PoweringOff' ? 'PoweredOff' : power === 'PoweringOn' ? 'InPOST' : 'OutOfPOST',
    Status: busy ? 'NotReady' : 'Ready',
    TelemetryStatus: 'Ready',
  };
}

export function managerRoutes(flavor: RedfishFlavor): RouteDef[] {
  return [
    {
      method: 'GET',
      pattern: '/redfish/v1/Managers',
      handler: () => ok(render(templates().collection, { Members: members([MANAGER]), MembersCount: 1 })),
    },
    { method: 'GET', pattern: MANAGER, handler: ({ host }) => ok(managerResource(host, flavor)) },
    {
      method: 'POST',
      pattern: `${MANAGER}/Actions/Manager.Reset`,
      privilege: 'ConfigureManager',
      handler: ({ host, json }) => {
        const body = json();
        if (body === null) return redfishError(400, 'Base.MalformedJSON');
        if (body?.ResetType !== 'GracefulRestart') {
          return redfishError(400, 'Base.ActionParameterValueNotInList', [String(body?.ResetType), 'ResetType', 'Manager.Reset']);
        }
        // Answer first, then go down: the client sees 204 and then an unreachable iDRAC.
        setImmediate(() => host.rebootManager());
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      pattern: `${MANAGER}/EthernetInterfaces`,
      handler: () => ok(render(templates().ethernetInterfaces, {})),
    },
    {
      method: 'GET',
      pattern: NIC,
      handler: ({ host }) =>
        ok(
          render(templates().nic, {
            ServiceTag: host.identity.serviceTag,
            IdracAddress: host.identity.address,
            IdracGateway: host.identity.idracGateway,
            IdracSubnetMask: host.identity.idracSubnetMask,
            IdracLinkLocal: host.identity.idracLinkLocal,
            IdracMac: host.identity.idracMac,
          }),
        ),
    },
    {
      method: 'GET',
      pattern: JOB_SERVICE,
      handler: ({ host }) => ok(render(templates().dellJobService, { CurrentNumberOfJobs: host.jobs.list().length })),
    },
    {
      method: 'POST',
      pattern: `${JOB_SERVICE}/Actions/DellJobService.DeleteJobQueue`,
      privilege: 'ConfigureManager',
      handler: ({ host, json }) => {
        const body = json();
        if (body === null) return redfishError(400, 'Base.MalformedJSON');
        const jobId = body?.JobID;
        if (typeof jobId !== 'string') return redfishError(400, 'Base.ActionParameterMissing', ['DeleteJobQueue', 'JobID']);
        if (jobId === 'JID_CLEARALL' || jobId === 'JID_CLEARALL_FORCE') {
          host.jobs.clear();
          return successInfo(200, 'JCP045');
        }
        const job = host.jobs.get(jobId);
        if (!job) return redfishError(400, 'JCP022', [jobId]);
        if (job.state === 'Running') return redfishError(400, 'JCP015');
        host.jobs.delete(jobId);
        return successInfo(200, 'SYS413');
      },
    },
    {
      method: 'GET',
      pattern: LC_SERVICE,
      handler: () => ok(render(templates().dellLcService, {})),
    },
    {
      method: 'POST',
      pattern: `${LC_SERVICE}/Actions/DellLCService.GetRemoteServicesAPIStatus`,
      handler: ({ host }) => ok(remoteServicesStatus(host)),
    },
  ];
}
