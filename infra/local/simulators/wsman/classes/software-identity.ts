import type { SimulatedHost } from '../../state/host';
import type { CimValue } from '../xml';

/** DCIM_SoftwareIdentity: one instance per firmware inventory entry, `#` where Redfish escapes `_0x23_`. */
export function softwareIdentity(host: SimulatedHost): Array<Record<string, CimValue>> {
  return host.inventory.entries().map((entry) => {
    const c = entry.component;
    const [major, minor, revision, build] = entry.version.split('.').map((p) => Number.parseInt(p, 10) || 0);
    return {
      BuildNumber: build ?? 0,
      Classifications: c.classifications,
      ComponentID: c.softwareId,
      ComponentType: c.componentType,
      DeviceID: null,
      ElementName: c.name,
      FQDD: c.fqdd,
      HashValue: null,
      IdentityInfoType: 'OrgID:ComponentType:ComponentID',
      IdentityInfoValue: `DCIM:${c.identityType}:${c.softwareId}`,
      InstallationDate: entry.kind === 'Installed' ? c.installationDate : 'NA',
      InstanceID: `DCIM:${entry.kind.toUpperCase()}#${c.dellInventorySuffix.replace(/_0x23_/g, '#')}`,
      IsEntity: true,
      MajorVersion: major ?? 0,
      MinorVersion: minor ?? 0,
      RevisionNumber: revision ?? 0,
      RevisionString: null,
      Status: entry.kind === 'Installed' ? 'Installed' : 'Available',
      SubDeviceID: null,
      SubVendorID: null,
      Updateable: true,
      VendorID: null,
      VersionString: entry.version,
      impactsTPMmeasurements: c.impactsTpm,
    };
  });
}
