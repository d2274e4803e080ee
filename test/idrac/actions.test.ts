import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedEndpoint, SimulatorFleet } from '../../infra/local/simulators';
import type { IdracClient } from '../../shared/adapters/idrac/idrac-client';
import type { IdracJobStatus, IdracTarget } from '../../shared/ports/idrac';
import { credentialOf, eventually, expectIdracError, startFleet, targetOf, testClient } from './helpers';

// 0 idrac9 (power), 1 idrac9 (firmware), 2 idrac8 (firmware, old job path only).
const GENERATIONS = ['idrac9', 'idrac9', 'idrac8'] as const;
let fleet: SimulatorFleet;
let client: IdracClient;

beforeAll(async () => {
  fleet = await startFleet({ count: GENERATIONS.length, baseAddress: '127.44.0.1', generation: (i) => GENERATIONS[i] ?? 'idrac9' });
  client = testClient();
});
afterAll(async () => {
  await client?.dispose();
  await fleet?.stop();
});

const target = (endpoint: SimulatedEndpoint): IdracTarget => targetOf(endpoint.info());
const cred = (endpoint: SimulatedEndpoint) => credentialOf(endpoint.info());

// Dell names update packages this way; the simulator reads component and version from the name.
const ISM_PACKAGE = 'https://repo.example/ServiceModule_X_WN64_5.1.0.EXE';
const BIOS_PACKAGE = 'https://repo.example/BIOS_X_WN64_1.9.2.EXE';

async function pollUntilDone(endpoint: SimulatedEndpoint, jobId: string): Promise<{ final: IdracJobStatus; seen: Set<string> }> {
  const seen = new Set<string>();
  const final = await eventually(async () => {
    const status = await client.jobStatus(target(endpoint), cred(endpoint), jobId);
    seen.add(status.state);
    return status.state === 'completed' || status.state === 'failed' ? status : undefined;
  });
  return { final, seen };
}

describe('power', () => {
  it('ForceOff turns the host off; On brings it back through PoweringOn', async () => {
    const endpoint = fleet.endpoint(0);
    expect(await client.powerReset(target(endpoint), cred(endpoint), 'ForceOff')).toEqual({ outcome: 'accepted' });
    expect(endpoint.power).toBe('Off');
    expect((await client.inventory(target(endpoint), cred(endpoint))).power_state).toBe('Off');

    expect(await client.powerReset(target(endpoint), cred(endpoint), 'On')).toEqual({ outcome: 'accepted' });
    await eventually(async () => ((await client.inventory(target(endpoint), cred(endpoint))).power_state === 'On' ? true : undefined));
  });

  it('asking for the state the host is already in is an idempotent success (PSU501/PSU502)', async () => {
    const endpoint = fleet.endpoint(0);
    await eventually(async () => (endpoint.power === 'On' ? true : undefined));
    const result = await client.powerReset(target(endpoint), cred(endpoint), 'On');
    expect(result.outcome).toBe('already_in_state');
    expect(result.message).toMatch(/already/i);
    expect(endpoint.power).toBe('On');
  });
});

describe('firmware update and job polling', () => {
  it('iDRAC9: SimpleUpdate → job → polled on the Dell job queue to Completed; inventory shows the version', async () => {
    const endpoint = fleet.endpoint(1);
    const started = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), ISM_PACKAGE);
    expect(started.job_id).toMatch(/^JID_\d+$/);
    expect(started.task_uri).toBe(`/redfish/v1/TaskService/Tasks/${started.job_id}`);

    const { final, seen } = await pollUntilDone(endpoint, started.job_id);
    expect(final).toMatchObject({
      job_id: started.job_id,
      state: 'completed',
      raw_state: 'Completed',
      percent_complete: 100,
      source: 'dell_jobs',
    });
    expect(final.message).toBeTruthy();
    expect(final.message_id).toMatch(/RED001/);
    expect(seen.has('running') || seen.has('pending')).toBe(true);

    const ism = (await client.inventory(target(endpoint), cred(endpoint))).firmware.find((f) => f.fqdd === 'ServiceModule.Embedded.1');
    expect(ism?.version).toBe('5.1.0');
    expect(endpoint.host.sessions.list()).toHaveLength(0);
  });

  it('iDRAC8: only the older Managers/…/Jobs path exists, and polling finds the job there', async () => {
    const endpoint = fleet.endpoint(2);
    const started = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), ISM_PACKAGE);
    const { final } = await pollUntilDone(endpoint, started.job_id);
    expect(final).toMatchObject({ state: 'completed', raw_state: 'Completed', source: 'dell_jobs_legacy_path' });
    expect(endpoint.firmware().find((f) => f.fqdd === 'ServiceModule.Embedded.1')?.version).toBe('5.1.0');
  });

  it('a BIOS update stays pending until the host reboots (the maintenance job reboots it)', async () => {
    const endpoint = fleet.endpoint(1);
    const started = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), BIOS_PACKAGE);
    await eventually(async () => {
      const status = await client.jobStatus(target(endpoint), cred(endpoint), started.job_id);
      return status.raw_state === 'Scheduled' ? status : undefined;
    });
    expect((await client.jobStatus(target(endpoint), cred(endpoint), started.job_id)).state).toBe('pending');
    await client.powerReset(target(endpoint), cred(endpoint), 'ForceRestart');
    const { final } = await pollUntilDone(endpoint, started.job_id);
    expect(final.state).toBe('completed');
    expect((await client.inventory(target(endpoint), cred(endpoint))).bios_version).toBe('1.9.2');
  });

  it('a failing update ends failed with the iDRAC message', async () => {
    const endpoint = fleet.endpoint(1);
    endpoint.failNextUpdate('RED007');
    const started = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), 'https://repo.example/Diagnostics_X_WN64_4.3.0.EXE');
    const { final } = await pollUntilDone(endpoint, started.job_id);
    expect(final).toMatchObject({ state: 'failed', raw_state: 'Failed' });
    expect(final.message_id).toMatch(/RED007/);
  });

  it('a job the iDRAC does not know (purged or never created) is not_found, after trying every place', async () => {
    const endpoint = fleet.endpoint(2);
    await expectIdracError(client.jobStatus(target(endpoint), cred(endpoint), 'JID_000000000001'), 'not_found');
  });
});
