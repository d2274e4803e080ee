import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { VSphereInstanceClient } from '../../shared/adapters/vsphere';
import { requestEnvelope } from '../../shared/adapters/vsphere/envelope';
import { startVcsim } from '../support/vcsim';
import { clientFor } from './helpers';

describe('vcsim test support', () => {
  it('fails, naming the build command, when vcsim is not built', async () => {
    await expect(startVcsim({ binary: '/nonexistent/vcsim' })).rejects.toThrow('run `bash scripts/vcsim/build.sh`');
  });

  it('starts vcsim on loopback with TLS, real credentials and the inventory it was asked for', async () => {
    const sim = await startVcsim({
      datacenters: 2,
      clusters: 1,
      hostsPerCluster: 2,
      vmsPerHost: 3,
      standaloneHosts: 1,
      user: 'alice',
      password: 's3cret',
    });
    try {
      expect(new URL(sim.url)).toMatchObject({ protocol: 'https:', hostname: '127.0.0.1', pathname: '/sdk', username: '', password: '' });
      // Per datacenter: 1 cluster of 2 hosts + 1 standalone host; each pool holds vmsPerHost × hostsPerCluster VMs.
      expect(sim.counts).toEqual({ datacenters: 2, clusters: 2, hosts: 6, vms: 2 * 2 * 6 });
      const agent = new Agent({ connect: { ca: sim.certPem } });
      const login = async (password: string) => {
        const res = await request(sim.url, {
          method: 'POST',
          headers: { 'content-type': 'text/xml' },
          body: requestEnvelope('Login', { type: 'SessionManager', value: 'SessionManager' }, { userName: 'alice', password }),
          dispatcher: agent,
        });
        return res.body.text();
      };
      expect(await login('s3cret')).toContain('<userName>alice</userName>');
      expect(await login('wrong')).toContain('InvalidLogin');
      await agent.close();
    } finally {
      await sim.stop();
    }
  });

  it('puts exactly vmsPerHost VMs on each cluster host when asked to spread them', async () => {
    const sim = await startVcsim({ hostsPerCluster: 4, vmsPerHost: 5, spreadVms: true });
    const vc = new VSphereInstanceClient(clientFor(sim));
    try {
      const snapshot = await vc.readInventory();
      await snapshot.discard();
      const perHost = new Map<string, number>();
      for (const o of snapshot.objects) if (o.kind === 'vm') perHost.set(o.placement!.host!, (perHost.get(o.placement!.host!) ?? 0) + 1);
      expect([...perHost.values()]).toEqual([5, 5, 5, 5]);
    } finally {
      await vc.close();
      await sim.stop();
    }
  });
});
