import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VSphereClient } from '../../shared/adapters/vsphere';
import { containerViewSpec, InvalidLoginFault, type MoRef, VSphereSessionLostError } from '../../shared/adapters/vsphere';
import { logger } from '../../shared/observability/logger';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { clientFor, closeAll, drain } from './helpers';

let sim: Vcsim;
const clients: VSphereClient[] = [];
const track = (c: VSphereClient) => (clients.push(c), c);

beforeAll(async () => {
  sim = await startVcsim({ clusters: 1, hostsPerCluster: 2, vmsPerHost: 1 });
});
afterAll(async () => {
  await sim?.stop();
});
afterEach(async () => {
  await closeAll(clients);
});

/** The client's current session key, read through another client's eyes. */
async function sessionKeyOf(client: VSphereClient): Promise<string> {
  return (await client.session.currentSession())!.key;
}

describe('vSphere session against vcsim', () => {
  it('logs in with the service identity and reads the API version from the service content', async () => {
    const client = track(clientFor(sim));
    const session = await client.login();
    expect(session.userName).toBe(sim.user);
    expect(client.apiVersion).toBe('6.5');
    expect((await client.retrieveServiceContent()).about).toMatchObject({ apiType: 'VirtualCenter', apiVersion: '6.5' });
    expect(client.health()).toMatchObject({ loggedIn: true, sessionGeneration: 1, breaker: 'closed' });
    expect((await client.session.currentSession())?.userName).toBe(sim.user);
  });

  it('logs in lazily on the first call that needs a session', async () => {
    const client = track(clientFor(sim));
    const view = await client.createContainerView(['HostSystem']);
    expect(view.type).toBe('ContainerView');
    expect(client.health().loggedIn).toBe(true);
  });

  it('refuses a wrong password with InvalidLogin and the server fault string', async () => {
    const client = track(clientFor(sim, { credentials: { username: sim.user, password: 'wrong' } }));
    const err = await client.login().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidLoginFault);
    expect(err).toMatchObject({ faultType: 'InvalidLogin', faultString: 'Login failure' });
    expect(client.health()).toMatchObject({ loggedIn: false, breaker: 'closed' }); // a fault is not an outage
  });

  it('reads credentials from a provider at each login, so a rotated secret is picked up', async () => {
    let reads = 0;
    const client = track(clientFor(sim, { credentials: async () => (reads++, { username: sim.user, password: sim.password }) }));
    await client.login();
    await client.invoke('Logout', (await client.retrieveServiceContent()).sessionManager);
    await client.createContainerView(['HostSystem']); // NotAuthenticated → login again
    expect(reads).toBe(2);
  });

  it('logs out: vCenter no longer knows the session', async () => {
    const client = track(clientFor(sim));
    await client.login();
    const key = await sessionKeyOf(client);
    const admin = track(clientFor(sim));
    await admin.login();
    await client.logout();
    const list = (await admin.getProperties((await admin.retrieveServiceContent()).sessionManager, ['sessionList'])).sessionList as {
      key: string;
    }[];
    expect(list.map((s) => s.key)).not.toContain(key);
    expect(client.health().loggedIn).toBe(false);
  });

  it('logs in again transparently after its session was logged out behind its back', async () => {
    const client = track(clientFor(sim));
    await client.login();
    await client.invoke('Logout', (await client.retrieveServiceContent()).sessionManager); // the escape hatch, not client.logout()
    const view = await client.createContainerView(['VirtualMachine']); // NotAuthenticated fault → login → repeated
    expect(view.type).toBe('ContainerView');
    expect(client.health().sessionGeneration).toBe(2);
  });

  it('logs in again after TerminateSession and retries a read whose properties came back NotAuthenticated', async () => {
    const client = track(clientFor(sim));
    const admin = track(clientFor(sim));
    await client.login();
    await admin.login();
    const host = await firstHost(admin);
    await admin.invoke('TerminateSession', (await admin.retrieveServiceContent()).sessionManager, {
      sessionId: [await sessionKeyOf(client)],
    });
    // vcsim, like vCenter, answers a read without a session with HTTP 200 and NotAuthenticated in missingSet.
    const props = await client.getProperties(host, ['name']);
    expect(props.name).toMatch(/^DC0_C0_H\d$/);
    expect(client.health().sessionGeneration).toBe(2);
  });

  it('does not repeat a call on objects of the lost session: it says the session was lost, and the next call works', async () => {
    const client = track(clientFor(sim));
    const view = await client.createContainerView(['VirtualMachine']);
    await client.invoke('Logout', (await client.retrieveServiceContent()).sessionManager);
    const err = await drain(client.retrievePropertiesEx([containerViewSpec(view, { VirtualMachine: ['name'] })])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VSphereSessionLostError);
    expect((err as Error).message).toMatch(/start over/);
    expect(client.health()).toMatchObject({ loggedIn: true, sessionGeneration: 2 });
    const fresh = await client.createContainerView(['VirtualMachine']);
    expect(await drain(client.retrievePropertiesEx([containerViewSpec(fresh, { VirtualMachine: ['name'] })]))).toHaveLength(sim.counts.vms);
  });

  it('shares one Login between concurrent calls that find no session', async () => {
    const client = track(clientFor(sim));
    const views = await Promise.all([1, 2, 3, 4].map(() => client.createContainerView(['HostSystem'])));
    expect(new Set(views.map((v) => v.value)).size).toBe(4);
    expect(client.health().sessionGeneration).toBe(1);
  });

  it('never writes the session cookie or the password to the log', async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const level = logger.getLevelName();
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    logger.setLogLevel('DEBUG');
    try {
      const client = track(clientFor(sim));
      await client.login();
      await client.invoke('Logout', (await client.retrieveServiceContent()).sessionManager);
      await client.createContainerView(['HostSystem']); // re-login: logged
      const cookie = await sessionKeyOf(client); // vcsim's cookie value is the session key
      expect(client.session.exportCookie()).toBe(cookie);
      // Nor does an accidental dump of the client show them.
      expect(inspect(client, { depth: 20 })).not.toContain(cookie);
      expect(inspect(client, { depth: 20 })).not.toContain(sim.password);
      await client.logout();
      const log = lines.join('');
      expect(log).toContain('vCenter login');
      expect(log).not.toContain(cookie);
      expect(log).not.toContain(sim.password);
    } finally {
      process.stdout.write = write;
      logger.setLogLevel(level);
    }
  });
});

async function firstHost(client: VSphereClient): Promise<MoRef> {
  const view = await client.createContainerView(['HostSystem']);
  const [host] = await drain(client.retrievePropertiesEx([containerViewSpec(view, { HostSystem: ['name'] })]));
  await client.destroyView(view);
  return host!.obj;
}
