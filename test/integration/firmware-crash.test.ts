import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { type Harness, startHarness } from '../support/harness';
import { startStackProcess, stopStackProcesses } from '../support/stack-process';
import { waitFor } from '../support/wait';

/**
 * kill -9 of the local stack while a firmware_update job has staged its updates on an iDRAC and is rebooting
 * the server, then a restart on the same data directory: the job resumes from its ledger (the JIDs it staged
 * are neither lost nor asked for again), reboots, waits for them and verifies. The simulated iDRAC lives in the
 * test process and goes on through the crash, as a real one would. This file's addresses: 127.64.0.x.
 */
// biome-ignore lint/suspicious/noExplicitAny: API answers are read as JSON
type JobView = Record<string, any>;
const CERT_DIR = join(tmpdir(), 'eio-idrac-client-test-certs');
const dataDir = mkdtempSync(join(tmpdir(), 'eio-fw-crash-'));
const IMAGES = [
  { uri: 'https://repo.example/dell/BIOS_8DHFN_WN64_2.19.1.EXE', component: 'BIOS' },
  { uri: 'https://repo.example/dell/NIC_22.1.EXE' },
];

let fleet: SimulatorFleet;
let harness: Harness | undefined;

beforeAll(async () => {
  process.env.FIRMWARE_POLL_MS = '100';
  process.env.IDRAC_HEADERS_TIMEOUT_MS = '3000';
  fleet = await SimulatorFleet.start({ count: 1, baseAddress: '127.64.0.1', certDir: CERT_DIR, speed: 200, seed: 'fw-crash' });
}, 60_000);

afterEach(stopStackProcesses);

afterAll(async () => {
  await harness?.close();
  await fleet?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  delete process.env.FIRMWARE_POLL_MS;
  delete process.env.IDRAC_HEADERS_TIMEOUT_MS;
});

const stagedJids = (steps: JobView[]): string[] =>
  steps.filter((s) => s.name === 'Stage update' && s.external_task_id).map((s) => s.external_task_id);

describe('a firmware_update job whose process is killed', () => {
  it('while rebooting the server: resumes from the ledger with the same JIDs and finishes the update', async () => {
    const stack = await startStackProcess(dataDir);
    const { call } = stack;
    const created = async (method: string, path: string, body: unknown) => {
      const res = await call(method, path, body);
      expect(res.status, res.text).toBeLessThan(300);
      return res.body as JobView;
    };
    await created('POST', '/api/v1/service-identities', {
      id: 'si-idrac',
      name: 'iDRAC root',
      target_kind: 'idrac',
      username: 'root',
      secret: 'calvin',
    });
    await created('POST', '/api/v1/sites', {
      id: 'site-001',
      name: 'Lab',
      management_networks: ['127.64.0.0/24'],
      idrac_service_identity_id: 'si-idrac',
    });
    const idrac = fleet.info()[0]!;
    await created('POST', '/api/v1/dell/endpoints', {
      id: 'idrac-crash',
      site_id: 'site-001',
      address: idrac.address,
      redfish_port: idrac.ports.https,
      tls: { insecure: true },
    });
    await created('POST', '/api/v1/dell/endpoints/idrac-crash/refresh', undefined);
    // The server's reset hangs: the kill lands while EIO waits on it, with both updates staged.
    await fleet.endpoint(0).setFault({ kind: 'hang', stage: 'http', match: /ComputerSystem\.Reset/ }, 'https');
    const job = await created('POST', '/api/v1/jobs', { type: 'firmware_update', target_ids: ['idrac-crash'], params: { images: IMAGES } });
    const atCrash = await waitFor(
      'both updates staged and the reboot asked',
      async () => {
        const steps = (await call('GET', `/api/v1/jobs/${job.id}`)).body.steps as JobView[];
        return stagedJids(steps).length === 2 ? stagedJids(steps) : undefined;
      },
      60_000,
      50,
    );
    await stack.kill();
    await fleet.endpoint(0).setFault(undefined);

    harness = await startHarness({ dataDir });
    const done = await waitFor(
      `job ${job.id} to end`,
      async () => {
        const j = (await harness!.call('GET', `/api/v1/jobs/${job.id}`, { role: 'viewer' })).body as JobView;
        return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
      },
      90_000,
      100,
    );
    expect(done.status, JSON.stringify(done.steps)).toBe('succeeded');
    expect(done.execution_attempt).toBe(2);
    expect(stagedJids(done.steps)).toEqual(atCrash);
    expect(done.result.idrac_jobs.map((e: JobView) => [e.jid, e.state])).toEqual(atCrash.map((jid) => [jid, 'completed']));
    // The iDRAC holds EIO's two jobs and no third: nothing was asked for twice.
    expect(
      fleet
        .endpoint(0)
        .host.jobs.list()
        .filter((j) => j.jobType === 'FirmwareUpdate')
        .map((j) => j.id),
    ).toEqual(atCrash);
  });
});
