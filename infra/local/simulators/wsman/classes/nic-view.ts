import type { SimulatedHost } from '../../state/host';
import type { CimValue } from '../xml';
import { cimDateTime } from './cim-time';

// PCI identity and media per NIC family of the capture (BCM5720 LOM, BCM57414 25G, Mellanox ConnectX).
const FAMILY: Record<string, { vendor: string; pciVendor: string; pciDevice: string; media: string }> = {
  bcm5720: { vendor: 'Broadcom Corp', pciVendor: '14e4', pciDevice: '165f', media: 'Base T' },
  bcm57414: { vendor: 'Broadcom Corp', pciVendor: '14e4', pciDevice: '16d7', media: 'SFP_PLUS' },
  mellanox: { vendor: 'Mellanox Technologies', pciVendor: '15b3', pciDevice: '1017', media: 'QSFP' },
};

// DCIM_NICView LinkSpeed codes as python-dracclient decodes them.
function linkSpeedCode(mbps: number): number {
  return (
    ({ 10: 1, 100: 2, 1000: 3, 2500: 4, 10000: 5, 20000: 6, 40000: 7, 100000: 8, 25000: 9, 50000: 10 } as Record<number, number>)[mbps] ?? 0
  );
}

export function nicView(host: SimulatedHost): Array<Record<string, CimValue>> {
  return host.identity.nics.map((nic, i) => {
    const family = FAMILY[nic.family] ?? { vendor: 'Unknown', pciVendor: '0000', pciDevice: '0000', media: '' };
    const firmware = host.inventory.component(nic.id);
    const up = nic.linkStatus === 'LinkUp';
    return {
      AutoNegotiation: 2,
      BusNumber: i + 1,
      CurrentMACAddress: nic.mac,
      DeviceDescription: nic.description,
      FQDD: nic.id,
      FamilyVersion: firmware?.version ?? null,
      FunctionNumber: Number(/-(\d+)-\d+$/.exec(nic.id)?.[1] ?? '1') - 1,
      InstanceID: nic.id,
      LastSystemInventoryTime: cimDateTime(host.managerLastResetTime),
      LastUpdateTime: cimDateTime(host.managerLastResetTime),
      LinkDuplex: up ? 1 : 0,
      LinkSpeed: linkSpeedCode(nic.speedMbps),
      MediaType: family.media,
      PCIDeviceID: family.pciDevice,
      PCIVendorID: family.pciVendor,
      PermanentMACAddress: nic.mac,
      ProductName: firmware?.name ?? nic.description,
      VendorName: family.vendor,
    };
  });
}
