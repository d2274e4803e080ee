import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { type Lab, startLab } from '../support/maintenance-lab';
import { registerSimulatedIdrac } from '../support/simulated-idracs';

/**
 * Host ↔ iDRAC links over HTTP on the local stack: vcsim's hosts and simulated iDRACs (127.171.0.x) that
 * report their servers' SMBIOS UUIDs. One host has one iDRAC, one has two (ambiguous), one has none.
 */
const CERT_DIR = join(tmpdir(), 'eio-idrac-client-test-certs');
const LAB_SITE = { site_id: 'site-001', service_identity_id: 'si-idrac' };

let lab: Lab;
let idracs: SimulatorFleet | undefined;
type Host = { id: string; name: string; target_id: string; hardware_uuid: string; idrac: { status: string; endpoint_id?: string } | null };
let hosts: Host[];

beforeAll(async () => {
  lab = await startLab({ hostsPerCluster: 3, vmsPerHost: 0 });
  const si = await lab.h.call('POST', '/api/v1/service-identities', {
    role: 'admin',
    body: { id: 'si-idrac', name: 'si-idrac', target_kind: 'idrac', username: 'root', secret: 'calvin' },
  });
  expect(si.status, si.text).toBe(201);
}, 120_000);

afterAll(async () => {
  await Promise.all([lab?.close(), idracs?.stop()]);
});

const listHosts = async () => ((await lab.inventory('hosts')) as Host[]).sort((a, b) => a.name.localeCompare(b.name));
const endpointView = async (id: string) => {
  const res = await lab.h.call('GET', `/api/v1/dell/endpoints/${id}`, { role: 'viewer' });
  expect(res.status, res.text).toBe(200);
  return res.body;
};

describe('host ↔ iDRAC links on the local stack', () => {
  it('a synced host links to the iDRAC reporting its system UUID; two candidates or none are said as such', async () => {
    hosts = await listHosts();
    expect(hosts).toHaveLength(3);
    // vcsim's hosts report no Dell service tag and no BMC: nothing to link to yet.
    expect(hosts.map((x) => x.idrac?.status)).toEqual(['none', 'none', 'none']);

    // iDRAC 0 manages host 0; iDRACs 1 and 2 both report host 1's server; host 2 has none.
    const uuids = [hosts[0]!.hardware_uuid, hosts[1]!.hardware_uuid, hosts[1]!.hardware_uuid];
    idracs = await SimulatorFleet.start({
      count: 3,
      baseAddress: '127.171.0.1',
      certDir: CERT_DIR,
      speed: 200,
      seed: 'host-link',
      endpoint: (i) => ({ systemUuid: uuids[i] }),
    });
    for (const [i, idrac] of idracs.info().entries()) {
      const refreshed = await registerSimulatedIdrac(lab.h, `idrac-link-${i}`, idrac, LAB_SITE);
      expect(refreshed.system_uuid).toBe(uuids[i]);
    }

    const [h0, h1, h2] = await listHosts();
    const uuidBasis = (host: Host) => [{ kind: 'system_uuid', value: host.hardware_uuid.toLowerCase() }];
    expect(h0!.idrac).toEqual({
      status: 'linked',
      endpoint_id: 'idrac-link-0',
      address: idracs.info()[0]!.address,
      basis: uuidBasis(h0!),
    });
    expect(h1!.idrac).toMatchObject({
      status: 'ambiguous',
      candidates: [
        { endpoint_id: 'idrac-link-1', basis: uuidBasis(h1!) },
        { endpoint_id: 'idrac-link-2', basis: uuidBasis(h1!) },
      ],
    });
    expect(h2!.idrac).toEqual({ status: 'none', looked_for: uuidBasis(h2!) });
    expect((await endpointView('idrac-link-0')).vcenter_hosts).toEqual([
      { host_id: h0!.target_id, name: h0!.name, status: 'linked', basis: uuidBasis(h0!) },
    ]);
    expect((await endpointView('idrac-link-2')).vcenter_hosts).toMatchObject([{ host_id: h1!.target_id, status: 'ambiguous' }]);
  });

  it('deleting the duplicate iDRAC links the host to the other; later syncs and refreshes keep the links', async () => {
    expect((await lab.h.call('DELETE', '/api/v1/dell/endpoints/idrac-link-2', { role: 'admin' })).status).toBe(204);
    expect((await listHosts())[1]!.idrac).toMatchObject({ status: 'linked', endpoint_id: 'idrac-link-1' });

    await lab.sync();
    expect((await lab.h.call('POST', '/api/v1/dell/endpoints/idrac-link-0/refresh', { role: 'operator' })).status).toBe(200);
    const [h0, h1, h2] = await listHosts();
    expect([h0!.idrac?.endpoint_id, h1!.idrac?.endpoint_id, h2!.idrac?.status]).toEqual(['idrac-link-0', 'idrac-link-1', 'none']);
    expect((await endpointView('idrac-link-1')).vcenter_hosts).toMatchObject([{ host_id: h1!.target_id, status: 'linked' }]);
  });
});
