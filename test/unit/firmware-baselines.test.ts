import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { readDellCatalog } from '../../shared/domain/dell-catalog';
import { type DellEndpoint, DellEndpointCreate } from '../../shared/domain/dell-endpoint';
import { complianceOf, FirmwareBaselineCreate } from '../../shared/domain/firmware-baseline';
import type { IdracFirmwareItem } from '../../shared/domain/idrac';
import { SiteCreate } from '../../shared/domain/site';
import { listAudit } from '../../shared/records/audit';
import { dellEndpoints } from '../../shared/records/dell-endpoints';
import { putInventory } from '../../shared/records/vcenter';
import { recordHardwareIds } from '../../shared/usecases/dell-conflicts';
import { createDellEndpoint, refreshDellEndpoint } from '../../shared/usecases/dell-endpoints';
import {
  createFirmwareBaseline,
  deleteFirmwareBaseline,
  importFirmwareCatalog,
  updateFirmwareBaseline,
} from '../../shared/usecases/firmware-baselines';
import { componentsToUpdate, endpointDrift, firmwareCompliance } from '../../shared/usecases/firmware-compliance';
import { createServiceIdentity } from '../../shared/usecases/service-identities';
import { createSite } from '../../shared/usecases/sites';
import { storedRecord } from '../support/fake-vcenter';
import { unitDeps } from '../support/fakes';
import { FakeIdrac } from './fake-idrac';

const R750_INVENTORY = {
  protocol: 'redfish',
  generation: 'idrac9',
  model: 'PowerEdge R750',
  service_tag: 'ABC1234',
  system_uuid: '4c4c4544-0041-3110-8052-b4c04f4d4433',
  bios_version: '1.8.2',
  power_state: 'On',
  health_rollup: 'OK',
  nics: [],
  idrac_nic: { mac: '02:1d:00:00:00:01', ipv4: '10.9.0.1' },
  idrac_firmware: '6.00.30.00',
};
const CATALOG = readFileSync(new URL('../fixtures/firmware/Catalog.xml', import.meta.url), 'utf8');

/** What an iDRAC9 R750 reports (the simulators' components, as their Redfish inventory ids name them). */
const R750_FIRMWARE: IdracFirmwareItem[] = (
  JSON.parse(readFileSync(new URL('../../infra/local/simulators/fixtures/hardware/firmware-components.json', import.meta.url), 'utf8')) as {
    softwareId: string;
    fqdd: string;
    name: string;
    version: string;
  }[]
).map((c) => ({ id: `Installed-${c.softwareId}-${c.version}__${c.fqdd}`, name: c.name, version: c.version, fqdd: c.fqdd }));

let deps: ReturnType<typeof unitDeps>;

/** An endpoint of `site` that has reported this inventory (what a refresh records). */
async function server(id: string, address: string, site: string, inventory?: Partial<DellEndpoint>) {
  const ep = await createDellEndpoint(deps, { id, address, site_id: site, tls: { insecure: true, legacy: false } }, 'alice');
  return inventory ? dellEndpoints.update(deps.store, ep.id, (c) => ({ ...c, ...inventory })) : ep;
}

beforeEach(async () => {
  deps = unitDeps();
  for (const [id, network] of [
    ['site-a', '10.9.0.0/24'],
    ['site-b', '10.9.1.0/24'],
  ])
    await createSite(deps, SiteCreate.parse({ id, name: id, management_networks: [network] }), 'alice');
});

describe('reading a Dell catalog', () => {
  it("keeps the models' components with Dell's component ids, versions and package URIs; says what it left out", () => {
    const read = readDellCatalog(CATALOG, { models: ['R750'] });
    expect(read.source).toEqual({
      kind: 'catalog',
      catalog_version: '26.10.00',
      release_id: 'EIO26',
      catalog_date: '2026-10-01T08:00:00+05:30',
    });
    expect(read.skipped).toEqual({ pci_only: 1, other_models: 1 });
    expect(read.components.map((c) => [c.component_id, c.version, c.models])).toEqual([
      ['25227', '7.00.00.00', ['R750']],
      ['159', '1.8.2', ['R750']],
      ['108089', '22.00.6', ['R750']],
      ['27763', '1.0.5', ['R750']],
      ['108076', '00.2A.2A', ['R750']],
      ['25806', 'A07', ['R750']],
    ]);
    expect(read.components[0]).toMatchObject({
      name: 'Integrated Dell Remote Access Controller',
      component_type: 'FRMW',
      image_uri: 'https://downloads.dell.com/FOLDER11000001M/1/iDRAC-with-Lifecycle-Controller_Firmware_X1Y2Z_WN64_7.00.00.00_A00.EXE',
    });
    // A repository of one's own instead of downloads.dell.com; every model when none is named.
    const all = readDellCatalog(CATALOG, { repositoryUri: 'http://repo.lab.example/dell/' });
    expect(all.components.filter((c) => c.component_id === '159').map((c) => c.models)).toEqual([['R750'], ['R650']]);
    expect(all.components[1]!.image_uri).toBe('http://repo.lab.example/dell/FOLDER11000002M/1/BIOS_B1B2B_WN64_1.8.2.EXE');
  });

  it('refuses what is not a Dell catalog, or one with nothing for the models', () => {
    expect(() => readDellCatalog('<Manifest><oops></Manifest>')).toThrow('not well-formed XML');
    expect(() => readDellCatalog('<Inventory/>')).toThrow('not a Dell catalog');
    expect(() => readDellCatalog(CATALOG, { models: ['R940'] })).toThrow('no component for R940');
  });
});

describe('compliance of a server with a baseline', () => {
  const baseline = () => ({ components: readDellCatalog(CATALOG, { models: ['R750'] }).components });

  it('compliant, outdated, newer and unknown per installed component; what the baseline does not name is counted', () => {
    const { components, not_in_baseline } = complianceOf({ model: 'PowerEdge R750', firmware: R750_FIRMWARE }, baseline());
    expect(components.map((c) => [c.fqdd, c.installed_version, c.baseline_version, c.status])).toEqual([
      ['iDRAC.Embedded.1-1', '6.00.30.00', '7.00.00.00', 'outdated'],
      ['BIOS.Setup.1-1', '1.8.2', '1.8.2', 'compliant'],
      ['CPLD.Embedded.1', '1.0.5', '1.0.5', 'compliant'],
      ['NIC.Integrated.1-1-1', '21.80.16.95', '22.00.6', 'outdated'],
      ['NIC.Integrated.1-2-1', '21.80.16.95', '22.00.6', 'outdated'],
      ['PSU.Slot.1', '00.2A.2B', '00.2A.2A', 'newer'],
      ['PSU.Slot.2', '00.2A.2B', '00.2A.2A', 'newer'],
      ['Diagnostics.Embedded.1:LC.Embedded.1', '4301A56', 'A07', 'unknown'],
    ]);
    expect(components.at(-1)!.reason).toBe('versions 4301A56 and A07 cannot be compared');
    expect(not_in_baseline).toBe(R750_FIRMWARE.length - components.length);
    // Another model: nothing of an R750 baseline applies.
    expect(complianceOf({ model: 'PowerEdge R650', firmware: R750_FIRMWARE }, baseline()).components).toEqual([]);
  });

  it('without an inventory every component that applies is unknown; an FQDD prefix matches every port', () => {
    const noInventory = complianceOf({ model: 'PowerEdge R750' }, baseline()).components;
    expect(noInventory.every((c) => c.status === 'unknown' && c.installed_version === null)).toBe(true);
    expect(noInventory).toHaveLength(6);
    const byFqdd = complianceOf(
      { model: 'PowerEdge R750', firmware: R750_FIRMWARE },
      { components: [{ name: 'NICs', fqdd: 'nic.integrated.*', version: '21.80.16.95' }] },
    ).components;
    expect(byFqdd.map((c) => [c.fqdd, c.status])).toEqual([
      ['NIC.Integrated.1-1-1', 'compliant'],
      ['NIC.Integrated.1-2-1', 'compliant'],
    ]);
  });
});

describe('baselines and compliance', () => {
  it('one baseline per site; created, changed and deleted with an audit trail', async () => {
    const { baseline, skipped } = await importFirmwareCatalog(
      deps,
      CATALOG,
      { name: 'R750 26.10', models: ['R750'], site_ids: ['site-a'] },
      'alice',
    );
    expect(baseline).toMatchObject({ id: expect.stringMatching(/^fwb-/), site_ids: ['site-a'], source: { kind: 'catalog' }, version: 1 });
    expect(skipped).toEqual({ pci_only: 1, other_models: 1 });
    const manual = FirmwareBaselineCreate.parse({
      id: 'fwb-bios',
      name: 'BIOS only',
      site_ids: ['site-a', 'site-b'],
      components: [{ name: 'BIOS', component_id: '159', version: '1.9.0' }],
    });
    await expect(createFirmwareBaseline(deps, manual, 'bob')).rejects.toThrow(`site 'site-a' is governed by baseline '${baseline.id}'`);
    await expect(createFirmwareBaseline(deps, { ...manual, site_ids: ['site-zz'] }, 'bob')).rejects.toMatchObject({
      status: 400,
      details: [{ path: 'body.site_ids[0]', message: "site 'site-zz' does not exist" }],
    });
    const created = await createFirmwareBaseline(deps, { ...manual, site_ids: ['site-b'] }, 'bob');
    const changed = await updateFirmwareBaseline(deps, created.id, {
      components: [{ name: 'BIOS', component_id: '159', version: '2.0.0' }],
    });
    expect(changed).toMatchObject({ version: 2, components: [{ version: '2.0.0' }] });
    await expect(updateFirmwareBaseline(deps, created.id, { name: 'x', version: 1 })).rejects.toMatchObject({ status: 409 });
    await deleteFirmwareBaseline(deps, created.id);
    const trail = await listAudit(deps.store, created.id, { limit: 10 });
    expect(trail.items.map((e) => e.action).sort()).toEqual([
      'firmware_baseline.created',
      'firmware_baseline.deleted',
      'firmware_baseline.updated',
    ]);
  });

  it("each server against its site's baseline; the endpoint shows its drift; an update lists what differs with its image", async () => {
    const { baseline } = await importFirmwareCatalog(deps, CATALOG, { name: 'R750', models: ['R750'], site_ids: ['site-a'] }, 'alice');
    const r750 = { model: 'PowerEdge R750', firmware: R750_FIRMWARE, inventory_at: '2026-11-23T10:00:00.000Z' };
    const a = await server('idrac-a1', '10.9.0.1', 'site-a', r750);
    const fresh = await server('idrac-a2', '10.9.0.2', 'site-a');
    const b = await server('idrac-b1', '10.9.1.1', 'site-b', r750);

    const all = await firmwareCompliance(deps, { limit: 50 });
    expect(all.items.map((s) => [s.endpoint_id, s.baseline_id, s.status])).toEqual([
      [a.id, baseline.id, 'outdated'],
      [fresh.id, baseline.id, 'unknown'],
      [b.id, null, 'no_baseline'],
    ]);
    expect(all.items[0]!.counts).toEqual({ compliant: 2, outdated: 3, newer: 2, unknown: 1 });
    // Site b's servers against a baseline named in the query; only the unknown ones.
    expect((await firmwareCompliance(deps, { site_id: 'site-b', baseline_id: baseline.id, limit: 50 })).items[0]).toMatchObject({
      endpoint_id: b.id,
      status: 'outdated',
    });
    expect((await firmwareCompliance(deps, { status: 'unknown', limit: 50 })).items.map((s) => s.endpoint_id)).toEqual([fresh.id]);
    await expect(firmwareCompliance(deps, { baseline_id: 'fwb-nope', limit: 50 })).rejects.toMatchObject({
      status: 400,
      details: [{ path: 'query.baseline_id', message: "baseline 'fwb-nope' does not exist" }],
    });

    expect(await endpointDrift(deps, a)).toMatchObject({
      baseline_id: baseline.id,
      status: 'outdated',
      drift: expect.arrayContaining([expect.objectContaining({ fqdd: 'iDRAC.Embedded.1-1', status: 'outdated' })]),
    });
    const plan = await componentsToUpdate(deps, a.id, baseline.id);
    expect(plan.update.map((c) => [c.fqdd, c.installed_version, c.target_version, c.direction])).toEqual([
      ['iDRAC.Embedded.1-1', '6.00.30.00', '7.00.00.00', 'upgrade'],
      ['NIC.Integrated.1-1-1', '21.80.16.95', '22.00.6', 'upgrade'],
      ['NIC.Integrated.1-2-1', '21.80.16.95', '22.00.6', 'upgrade'],
      ['PSU.Slot.1', '00.2A.2B', '00.2A.2A', 'downgrade'],
      ['PSU.Slot.2', '00.2A.2B', '00.2A.2A', 'downgrade'],
    ]);
    expect(plan.update[0]).toMatchObject({
      firmware_id: 'Installed-25227-6.00.30.00__iDRAC.Embedded.1-1',
      image_uri: expect.stringContaining('_7.00.00.00_A00.EXE'),
    });
    expect(plan.unknown.map((c) => c.fqdd)).toEqual(['Diagnostics.Embedded.1:LC.Embedded.1']);
    await expect(componentsToUpdate(deps, a.id, 'fwb-nope')).rejects.toThrow("firmware baseline 'fwb-nope' does not exist");
  });

  it("a cluster's hosts through their iDRAC links; a host without one is listed as such", async () => {
    await importFirmwareCatalog(deps, CATALOG, { name: 'R750', models: ['R750'], site_ids: ['site-a'] }, 'alice');
    const ep = await server('idrac-a1', '10.9.0.1', 'site-a', { model: 'PowerEdge R750', firmware: R750_FIRMWARE, service_tag: 'ABC1234' });
    await recordHardwareIds(deps, undefined, ep);
    await putInventory(deps.store, storedRecord('cluster', 'domain-c1', { data: { hosts: ['host-1', 'host-2'] } }));
    await putInventory(deps.store, storedRecord('host', 'host-1', { name: 'esx-1', data: { service_tag: 'ABC1234' } }));
    await putInventory(deps.store, storedRecord('host', 'host-2', { name: 'esx-2', data: { service_tag: 'ZZZ9999' } }));

    const { items } = await firmwareCompliance(deps, { cluster: 'vc-001/domain-c1', limit: 50 });
    expect(items.map((s) => [s.host_id, s.endpoint_id, s.link, s.status])).toEqual([
      ['vc-001/host-1', 'idrac-a1', undefined, 'outdated'],
      ['vc-001/host-2', null, 'none', 'unknown'],
    ]);
    await expect(firmwareCompliance(deps, { cluster: 'vc-001/domain-c9', limit: 50 })).rejects.toMatchObject({ status: 404 });
  });

  it("a refresh that finds other versions than the last inventory records the change in the endpoint's audit trail", async () => {
    /** An R750 whose inventory reports `firmware`. */
    class InventoriedIdrac extends FakeIdrac {
      firmware = R750_FIRMWARE;
      override inventory(): never {
        // The base fake declares inventory unused (never); this one answers, as the port does, with a promise.
        return Promise.resolve({ ...R750_INVENTORY, firmware: this.firmware }) as never;
      }
    }
    const idrac = new InventoriedIdrac();
    idrac.behaviour.set('10.9.0.1', 'idrac9');
    const d = { ...deps, idrac };
    await createServiceIdentity(
      d,
      { id: 'si-idrac', name: 'i', description: '', target_kind: 'idrac', username: 'root', secret: 'x' },
      'a',
    );
    await createDellEndpoint(
      d,
      DellEndpointCreate.parse({ id: 'idrac-a1', address: '10.9.0.1', site_id: 'site-a', service_identity_id: 'si-idrac' }),
      'a',
    );

    await refreshDellEndpoint(d, 'idrac-a1');
    idrac.firmware = R750_FIRMWARE.map((i) => (i.fqdd === 'BIOS.Setup.1-1' ? { ...i, version: '1.9.0' } : i));
    const after = await refreshDellEndpoint(d, 'idrac-a1');
    expect(after.firmware?.find((i) => i.fqdd === 'BIOS.Setup.1-1')?.version).toBe('1.9.0');
    const trail = await listAudit(deps.store, 'idrac-a1', { limit: 20 });
    expect(trail.items.filter((e) => e.action === 'dell_endpoint.firmware_changed').map((e) => e.detail)).toEqual([
      { changes: [{ fqdd: 'BIOS.Setup.1-1', name: 'BIOS', from: '1.8.2', to: '1.9.0' }] },
    ]);
  });
});
