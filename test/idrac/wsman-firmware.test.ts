import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedEndpoint, SimulatorFleet } from '../../infra/local/simulators';
import type { IdracClient } from '../../shared/adapters/idrac/idrac-client';
import type { IdracJobStatus, IdracTarget } from '../../shared/ports/idrac';
import {
  credentialOf,
  eventually,
  expectIdracError,
  installedVersion,
  isFinished,
  startFleet,
  targetOf,
  testClient,
  untilJob,
} from './helpers';

// iDRAC7/8 without a usable Redfish: every firmware and power action goes over WS-Man. 0: an iDRAC8 whose
// firmware predates Redfish (chosen by what it offers, not by its generation); 1, 2: iDRAC7s.
let fleet: SimulatorFleet;
let client: IdracClient;

beforeAll(async () => {
  fleet = await startFleet({
    count: 3,
    baseAddress: '127.72.0.1',
    generation: (i) => (i === 0 ? 'idrac8' : 'idrac7'),
    endpoint: (i) => (i === 0 ? { redfish: 'none' } : {}),
  });
  client = testClient();
});
afterAll(async () => {
  await client?.dispose();
  await fleet?.stop();
});

const target = (endpoint: SimulatedEndpoint): IdracTarget => targetOf(endpoint.info());
const cred = (endpoint: SimulatedEndpoint) => credentialOf(endpoint.info());
const until = (endpoint: SimulatedEndpoint, jobId: string, done: (s: IdracJobStatus) => boolean) => untilJob(client, endpoint, jobId, done);

describe('firmware over WS-Man', () => {
  it('an iDRAC8 without Redfish: InstallFromURI stages the update; rebootToApply schedules it with a reboot job', async () => {
    const endpoint = fleet.endpoint(0);
    expect(await client.lifecycleControllerStatus(target(endpoint), cred(endpoint))).toMatchObject({
      ready: true,
      status: 'Ready',
      lc_status: 'Ready',
      protocol: 'wsman',
    });
    const started = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), 'http://repo.example/BIOS_X_WN64_2.19.0.EXE');
    expect(started).toMatchObject({ method: 'wsman_install_from_uri', protocol: 'wsman', apply: 'on_reset' });
    expect(started.job_id).toMatch(/^JID_\d+$/);
    const staged = await until(endpoint, started.job_id, (s) => s.raw_state === 'Downloaded');
    expect(staged).toMatchObject({ state: 'pending', source: 'wsman' });

    const reboot = await client.rebootToApply(target(endpoint), cred(endpoint), 'graceful_then_forced', [started.job_id]);
    expect(reboot).toMatchObject({ method: 'wsman_reboot_job', outcome: 'rebooting' });
    expect(reboot.job_id).toMatch(/^RID_\d+$/);
    const done = await until(endpoint, started.job_id, isFinished);
    expect(done).toMatchObject({ state: 'completed', percent_complete: 100 });
    expect(installedVersion(endpoint, 'BIOS.Setup.1-1')).toBe('2.19.0');
    expect((await client.jobStatus(target(endpoint), cred(endpoint), reboot.job_id!)).state).toBe('completed');
  });

  it('a named target (a WS-Man InstanceID from inventory) is the device updated', async () => {
    const endpoint = fleet.endpoint(1);
    const inventory = await client.inventory(target(endpoint), cred(endpoint));
    const ism = inventory.firmware.find((f) => f.fqdd === 'ServiceModule.Embedded.1');
    expect(ism?.id).toMatch(/^DCIM:INSTALLED#/);
    const started = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), 'http://repo.example/package-5.9.0.EXE', {
      targets: [ism!.id],
    });
    await until(endpoint, started.job_id, (s) => s.raw_state === 'Downloaded');
    await client.rebootToApply(target(endpoint), cred(endpoint), 'power_cycle', [started.job_id]);
    expect((await until(endpoint, started.job_id, isFinished)).state).toBe('completed');
    expect(installedVersion(endpoint, 'ServiceModule.Embedded.1')).toBe('5.9.0');
  });

  it('bytes cannot be pushed over WS-Man: not_supported, nothing queued', async () => {
    const endpoint = fleet.endpoint(1);
    const jobs = endpoint.host.jobs.list().length;
    const error = await expectIdracError(
      client.startFirmwareUpdate(target(endpoint), cred(endpoint), {
        kind: 'upload',
        file_name: 'BIOS_X_WN64_2.20.0.EXE',
        content: new Uint8Array(8),
      }),
      'not_supported',
    );
    expect(error.message).toMatch(/WS-Man/);
    expect(endpoint.host.jobs.list()).toHaveLength(jobs);
  });

  it('a busy Lifecycle Controller: not ready, and the update is refused before any job', async () => {
    const endpoint = fleet.endpoint(2);
    endpoint.setLifecycleBusy('Reloading Data');
    expect(await client.lifecycleControllerStatus(target(endpoint), cred(endpoint))).toMatchObject({
      ready: false,
      status: 'NotReady',
      lc_status: 'Reloading Data',
    });
    await expectIdracError(
      client.startFirmwareUpdate(target(endpoint), cred(endpoint), 'http://repo.example/BIOS_X_WN64_2.21.0.EXE'),
      'not_ready',
    );
    expect(endpoint.host.jobs.list()).toHaveLength(0);
    endpoint.setLifecycleBusy(undefined);
  });

  it('an update failing as it is applied ends failed with the message; the version stays', async () => {
    const endpoint = fleet.endpoint(2);
    const before = installedVersion(endpoint, 'BIOS.Setup.1-1');
    endpoint.failNextUpdate('RED006', 'apply');
    const started = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), 'http://repo.example/BIOS_X_WN64_2.22.0.EXE');
    await until(endpoint, started.job_id, (s) => s.raw_state === 'Downloaded');
    await client.rebootToApply(target(endpoint), cred(endpoint), 'graceful', [started.job_id]);
    const failed = await until(endpoint, started.job_id, isFinished);
    expect(failed).toMatchObject({ state: 'failed', raw_state: 'Failed', message_id: 'RED006' });
    expect(installedVersion(endpoint, 'BIOS.Setup.1-1')).toBe(before);
  });
});

describe('the job queue over WS-Man', () => {
  it('lists jobs, deletes only EIO’s own one, and leaves a job EIO did not create alone', async () => {
    const endpoint = fleet.endpoint(1);
    endpoint.seedJob({ id: 'JID_900000000001', name: 'Configure: Import Server Configuration Profile' });
    const mine = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), 'http://repo.example/BIOS_X_WN64_2.23.0.EXE');
    const jobs = await client.listJobs(target(endpoint), cred(endpoint));
    expect(jobs.map((j) => j.job_id)).toEqual(expect.arrayContaining([mine.job_id, 'JID_900000000001']));
    expect(jobs.find((j) => j.job_id === 'JID_900000000001')).toMatchObject({
      source: 'wsman',
      state: 'pending',
      name: expect.stringMatching(/Import/),
    });

    await until(endpoint, mine.job_id, (s) => s.raw_state === 'Downloaded');
    expect(await client.deleteJob(target(endpoint), cred(endpoint), mine.job_id)).toEqual({ job_id: mine.job_id, outcome: 'deleted' });
    expect(await client.deleteJob(target(endpoint), cred(endpoint), mine.job_id)).toEqual({ job_id: mine.job_id, outcome: 'not_found' });
    await expectIdracError(client.deleteJob(target(endpoint), cred(endpoint), 'JID_CLEARALL'), 'not_supported');
    const left = (await client.listJobs(target(endpoint), cred(endpoint))).map((j) => j.job_id);
    expect(left).toContain('JID_900000000001');
    expect(left).not.toContain(mine.job_id);
    await expectIdracError(client.jobStatus(target(endpoint), cred(endpoint), mine.job_id), 'not_found');
  });
});

describe('power over WS-Man', () => {
  it('force off, on (already on is idempotent), and a graceful restart as a reboot job', async () => {
    const endpoint = fleet.endpoint(2);
    await eventually(async () => (endpoint.power === 'On' ? true : undefined));
    expect(await client.powerReset(target(endpoint), cred(endpoint), 'ForceOff')).toEqual({ outcome: 'accepted' });
    expect(endpoint.power).toBe('Off');
    expect((await client.powerReset(target(endpoint), cred(endpoint), 'ForceOff')).outcome).toBe('already_in_state');
    expect(await client.powerReset(target(endpoint), cred(endpoint), 'On')).toEqual({ outcome: 'accepted' });
    await eventually(async () => (endpoint.power === 'On' ? true : undefined));
    const seen = new Set<string>();
    expect(await client.powerReset(target(endpoint), cred(endpoint), 'GracefulRestart')).toEqual({ outcome: 'accepted' });
    await eventually(
      async () => {
        seen.add(endpoint.power);
        return seen.has('Off') && endpoint.power === 'On' ? true : undefined;
      },
      15_000,
      2,
    );
    await expectIdracError(client.powerReset(target(endpoint), cred(endpoint), 'PushPowerButton'), 'not_supported');
  });
});
