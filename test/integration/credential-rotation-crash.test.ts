import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { serviceIdentities } from '../../shared/records/service-identities';
import { type Harness, startHarness } from '../support/harness';
import { startStackProcess, stopStackProcesses } from '../support/stack-process';
import { waitFor } from '../support/wait';

const INITIAL = 'Initial-Crash-Pw-1';
const IDS = ['idrac-c1', 'idrac-c2', 'idrac-c3'];
const dataDir = mkdtempSync(join(tmpdir(), 'eio-rotation-crash-'));
let fleet: SimulatorFleet;
let harness: Harness | undefined;

beforeAll(async () => {
  fleet = await SimulatorFleet.start({
    count: 3,
    baseAddress: '127.73.0.1',
    generation: (i) => (i === 2 ? 'idrac8' : 'idrac9'),
    credentials: { username: 'root', password: INITIAL },
    certDir: join(tmpdir(), 'eio-idrac-client-test-certs'),
    speed: 200,
  });
});
afterEach(stopStackProcesses);
afterAll(async () => {
  await harness?.close();
  await fleet?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a process killed mid-rotation', () => {
  it('is followed by one that carries the rotation on from its record: every target ends on one password', async () => {
    const stack = await startStackProcess(dataDir);
    const { call } = stack;
    expect(
      (
        await call('POST', '/api/v1/service-identities', {
          id: 'si-crash',
          name: 'x',
          target_kind: 'idrac',
          username: 'root',
          secret: INITIAL,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call('POST', '/api/v1/sites', {
          id: 'site-crash',
          name: 'x',
          management_networks: ['127.73.0.0/24'],
          idrac_service_identity_id: 'si-crash',
        })
      ).status,
    ).toBe(201);
    for (const [i, info] of fleet.info().entries()) {
      const res = await call('POST', '/api/v1/dell/endpoints', {
        id: IDS[i],
        address: info.address,
        site_id: 'site-crash',
        redfish_port: info.ports.https,
        wsman_port: info.ports.wsman ?? 9,
        tls: { pinned_thumbprint: info.certificate.thumbprint },
      });
      expect(res.status, res.text).toBe(201);
    }
    // The second target never answers for its accounts: the rotation stops there, the canary already changed.
    await fleet.endpoint(1).setFault({ kind: 'hang', stage: 'http', match: /AccountService/ }, 'https');
    const started = await call('POST', '/api/v1/service-identities/si-crash/rotate');
    expect(started.status, started.text).toBe(202);
    const location = `/api/v1/service-identities/si-crash/rotations/${started.body.id}`;
    await waitFor('the canary changed and the second target in progress', async () => {
      const r = (await call('GET', location)).body;
      const state = (id: string) => r.targets.find((t: { id: string }) => t.id === id)?.state;
      return state('idrac-c1') === 'tested' && state('idrac-c2') === 'setting' ? true : undefined;
    });

    await stack.kill();
    await fleet.endpoint(1).clearFaults();

    harness = await startHarness({ dataDir });
    const done = await waitFor(
      'the rotation to end after the restart',
      async () => {
        const r = (await harness!.call('GET', location, { role: 'viewer' })).body;
        return ['succeeded', 'rolled_back', 'failed'].includes(r.status) ? r : undefined;
      },
      60_000,
    );
    expect(done.status).toBe('succeeded');
    expect(done.targets.map((t: { state: string }) => t.state)).toEqual(['tested', 'tested', 'tested']);
    const si = await serviceIdentities.get(harness.stack.deps.store, 'si-crash');
    const current = await harness.stack.deps.secrets.get(si.secret_ref);
    expect(current).not.toBe(INITIAL);
    expect(await harness.stack.deps.secrets.getPending(si.secret_ref)).toBeUndefined();
    for (const i of [0, 1, 2]) {
      expect(fleet.endpoint(i).host.accounts.authenticate('root', current)?.id, IDS[i]).toBe('2');
      expect(fleet.endpoint(i).host.accounts.authenticate('root', INITIAL), IDS[i]).toBeUndefined();
    }
    for (const id of IDS) {
      const refreshed = await harness.call('POST', `/api/v1/dell/endpoints/${id}/refresh`, { role: 'operator' });
      expect(refreshed.body, id).toMatchObject({ status: 'reachable', last_error: null });
    }
  });
});
