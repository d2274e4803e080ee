import type { SimulatedHost } from '../../state/host';
import type { CimValue } from '../xml';
import { cimDateTime } from './cim-time';

/** DCIM_iDRACCardView: the Redfish DelliDRACCard of the capture, in WS-Man form. */
export function idracCardView(host: SimulatedHost): Array<Record<string, CimValue>> {
  return [
    {
      DeviceDescription: 'iDRAC',
      FQDD: 'iDRAC.Embedded.1-1',
      FirmwareVersion: host.idracFirmware,
      GUID: host.identity.platformGuid,
      IPMIVersion: '2.0',
      InstanceID: 'iDRAC.Embedded.1-1#IDRACinfo',
      LANEnabledState: 1,
      LastSystemInventoryTime: cimDateTime(host.managerLastResetTime),
      LastUpdateTime: cimDateTime(host.managerLastResetTime),
      Model: 'Enterprise',
      PermanentMACAddress: host.identity.idracMac,
      ProductDescription: 'This system component provides a complete set of remote management functions for Dell PowerEdge Servers',
      SOLEnabledState: 1,
      URLString: host.publicUrl,
    },
  ];
}
