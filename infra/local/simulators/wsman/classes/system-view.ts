import type { SimulatedHost } from '../../state/host';
import type { CimValue } from '../xml';
import { cimDateTime } from './cim-time';

const PRIMARY_STATUS = { OK: 1, Warning: 2, Critical: 3 } as const;

/** DCIM_SystemView: the same data Redfish shows as Oem.Dell.DellSystem (whose names it shares). */
export function systemView(host: SimulatedHost): Array<Record<string, CimValue>> {
  const id = host.identity;
  const power = host.power.state;
  return [
    {
      AssetTag: '',
      BIOSReleaseDate: id.profile.biosReleaseDate,
      BIOSVersionString: host.biosVersion,
      BoardPartNumber: id.partNumber,
      BoardSerialNumber: id.serialNumber,
      ChassisName: 'Main System Chassis',
      ChassisServiceTag: id.serviceTag,
      ChassisSystemHeightUnit: 2,
      ExpressServiceCode: id.expressServiceCode,
      FQDD: 'System.Embedded.1',
      HostName: id.hostName,
      InstanceID: 'System.Embedded.1',
      LastSystemInventoryTime: cimDateTime(host.managerLastResetTime),
      LastUpdateTime: cimDateTime(host.managerLastResetTime),
      LifecycleControllerVersion: host.inventory.component('USC.Embedded.1:LC.Embedded.1')?.version ?? host.idracFirmware,
      Manufacturer: 'Dell Inc.',
      Model: id.profile.model,
      NodeID: id.serviceTag,
      PlatformGUID: id.platformGuid,
      // DCIM PowerState: 2 = On, 8 = Off (Dell's best-practices guide powers on when it reads 8).
      PowerState: power === 'Off' || power === 'PoweringOn' ? 8 : 2,
      PrimaryStatus: PRIMARY_STATUS[host.health],
      RollupStatus: PRIMARY_STATUS[host.health],
      ServiceTag: id.serviceTag,
      SysMemTotalSize: 524288,
      SystemGeneration: id.profile.systemGeneration,
      SystemID: id.profile.systemId,
      UUID: id.systemUuid,
      smbiosGUID: id.smbiosGuid,
    },
  ];
}
