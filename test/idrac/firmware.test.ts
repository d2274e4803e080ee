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

// Firmware mechanics on iDRAC9 (Redfish): readiness, SimpleUpdate and push, staged updates, the job queue.
let fleet: SimulatorFleet;
let client: IdracClient;

beforeAll(async () => {
  fleet = await startFleet({ count: 4, baseAddress: '127.71.0.1', generation: 'idrac9' });
  client = testClient();
});
afterAll(async () => {
  await client?.dispose();
  await fleet?.stop();
});

const target = (endpoint: SimulatedEndpoint): IdracTarget => targetOf(endpoint.info());
const cred = (endpoint: SimulatedEndpoint) => credentialOf(endpoint.info());
const until = (endpoint: SimulatedEndpoint, jobId: string, done: (s: IdracJobStatus) => boolean) => untilJob(client, endpoint, jobId, done);

describe('Lifecycle Controller readiness', () => {
  it('an idle iDRAC is ready, and says what its LC and server are doing', async () => {
    const endpoint = fleet.endpoint(0);
    const status = await client.lifecycleControllerStatus(target(endpoint), cred(endpoint));
    expect(status).toMatchObject({ ready: true, status: 'Ready', lc_status: 'Ready', server_status: 'OutOfPOST', protocol: 'redfish' });
    expect(status.message).toMatch(/Ready/);
  });
});

describe('updates from a URI (SimpleUpdate)', () => {
  it('says how it started; the job completes and the installed version is the image name’s', async () => {
    const endpoint = fleet.endpoint(0);
    const started = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), {
      kind: 'uri',
      uri: 'https://repo.example/ServiceModule_X_WN64_5.2.0.EXE',
    });
    expect(started).toMatchObject({ method: 'redfish_simple_update', protocol: 'redfish', apply: 'immediate' });
    expect(started.job_id).toMatch(/^JID_\d+$/);
    expect((await until(endpoint, started.job_id, isFinished)).state).toBe('completed');
    expect(installedVersion(endpoint, 'ServiceModule.Embedded.1')).toBe('5.2.0');
  });

  it('apply time OnReset stays staged (Scheduled) until rebootToApply; the reboot applies it', async () => {
    const endpoint = fleet.endpoint(1);
    const before = installedVersion(endpoint, 'ServiceModule.Embedded.1');
    const started = await client.startFirmwareUpdate(
      target(endpoint),
      cred(endpoint),
      'https://repo.example/ServiceModule_X_WN64_5.3.0.EXE',
      {
        applyTime: 'OnReset',
      },
    );
    expect(started.apply).toBe('on_reset');
    const staged = await until(endpoint, started.job_id, (s) => s.raw_state === 'Scheduled');
    expect(staged.state).toBe('pending');
    expect(installedVersion(endpoint, 'ServiceModule.Embedded.1')).toBe(before);

    const reboot = await client.rebootToApply(target(endpoint), cred(endpoint), 'graceful', [started.job_id]);
    expect(reboot).toEqual({ method: 'redfish_reset', outcome: 'rebooting' });
    expect((await until(endpoint, started.job_id, isFinished)).state).toBe('completed');
    expect(installedVersion(endpoint, 'ServiceModule.Embedded.1')).toBe('5.3.0');
  });

  it('a server that is off is powered on to apply what is staged', async () => {
    const endpoint = fleet.endpoint(1);
    endpoint.setPower('Off');
    const started = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), 'https://repo.example/BIOS_X_WN64_1.9.7.EXE');
    await until(endpoint, started.job_id, (s) => s.raw_state === 'Scheduled');
    expect(await client.rebootToApply(target(endpoint), cred(endpoint), 'graceful_then_forced', [started.job_id])).toEqual({
      method: 'redfish_reset',
      outcome: 'powered_on',
    });
    expect((await until(endpoint, started.job_id, isFinished)).state).toBe('completed');
    await eventually(async () => (endpoint.power === 'On' ? true : undefined));
  });
});

describe('updates from bytes (multipart HTTP push)', () => {
  it('pushes the image with its file name; the job completes with that version', async () => {
    const endpoint = fleet.endpoint(2);
    const started = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), {
      kind: 'upload',
      file_name: 'ServiceModule_X_WN64_5.4.0.EXE',
      content: new Uint8Array(64 * 1024).fill(7),
    });
    expect(started).toMatchObject({ method: 'redfish_multipart_push', protocol: 'redfish', apply: 'immediate' });
    expect((await until(endpoint, started.job_id, isFinished)).state).toBe('completed');
    expect(installedVersion(endpoint, 'ServiceModule.Embedded.1')).toBe('5.4.0');
  });

  it('a stream is sent as it comes, with apply time OnReset', async () => {
    const endpoint = fleet.endpoint(2);
    async function* chunks() {
      for (let i = 0; i < 4; i++) yield new Uint8Array(16 * 1024).fill(i);
    }
    const started = await client.startFirmwareUpdate(
      target(endpoint),
      cred(endpoint),
      { kind: 'upload', file_name: 'ServiceModule_X_WN64_5.5.0.EXE', content: chunks() },
      { applyTime: 'OnReset' },
    );
    expect(started.apply).toBe('on_reset');
    expect((await until(endpoint, started.job_id, (s) => s.raw_state === 'Scheduled')).state).toBe('pending');
    await client.rebootToApply(target(endpoint), cred(endpoint), 'power_cycle', [started.job_id]);
    expect((await until(endpoint, started.job_id, isFinished)).state).toBe('completed');
    expect(installedVersion(endpoint, 'ServiceModule.Embedded.1')).toBe('5.5.0');
  });
});

describe('the job queue', () => {
  it('lists every job; deletes only the one named; an unknown one is not_found', async () => {
    const endpoint = fleet.endpoint(3);
    const first = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), 'https://repo.example/BIOS_X_WN64_1.9.8.EXE');
    const second = await client.startFirmwareUpdate(
      target(endpoint),
      cred(endpoint),
      'https://repo.example/ServiceModule_X_WN64_5.6.0.EXE',
      {
        applyTime: 'OnReset',
      },
    );
    await until(endpoint, second.job_id, (s) => s.raw_state === 'Scheduled');
    const jobs = await client.listJobs(target(endpoint), cred(endpoint));
    expect(jobs.map((j) => j.job_id)).toEqual(expect.arrayContaining([first.job_id, second.job_id]));
    expect(jobs.find((j) => j.job_id === second.job_id)).toMatchObject({ source: 'dell_jobs', job_type: 'FirmwareUpdate' });
    expect(jobs.find((j) => j.job_id === second.job_id)?.name).toMatch(/Firmware Update/);

    expect(await client.deleteJob(target(endpoint), cred(endpoint), second.job_id)).toEqual({ job_id: second.job_id, outcome: 'deleted' });
    const after = (await client.listJobs(target(endpoint), cred(endpoint))).map((j) => j.job_id);
    expect(after).toContain(first.job_id);
    expect(after).not.toContain(second.job_id);
    expect(await client.deleteJob(target(endpoint), cred(endpoint), second.job_id)).toEqual({
      job_id: second.job_id,
      outcome: 'not_found',
    });
  });

  it('refuses JID_CLEARALL without asking the iDRAC', async () => {
    const endpoint = fleet.endpoint(3);
    const before = endpoint.stats().requests;
    const jobs = endpoint.host.jobs.list().length;
    for (const whole of ['JID_CLEARALL', 'JID_CLEARALL_FORCE', '']) {
      const error = await expectIdracError(client.deleteJob(target(endpoint), cred(endpoint), whole), 'not_supported');
      expect(error.message).toMatch(/one iDRAC job at a time/);
    }
    expect(endpoint.stats().requests).toBe(before);
    expect(endpoint.host.jobs.list()).toHaveLength(jobs);
  });
});

describe('actions answered without a body', () => {
  it('202 without a body (but with the job in Location) starts the update', async () => {
    const endpoint = fleet.endpoint(0);
    await endpoint.setFault({ kind: 'no-body', match: /SimpleUpdate$/, times: 1 }, 'https');
    const started = await client.startFirmwareUpdate(
      target(endpoint),
      cred(endpoint),
      'https://repo.example/ServiceModule_X_WN64_5.7.0.EXE',
    );
    expect(started.job_id).toMatch(/^JID_\d+$/);
    expect((await until(endpoint, started.job_id, isFinished)).state).toBe('completed');
  });

  it('204 without a body is a success for a reset, a job deletion and the readiness check', async () => {
    const endpoint = fleet.endpoint(0);
    await endpoint.setFault({ kind: 'no-body', status: 204, match: /GetRemoteServicesAPIStatus$/, times: 1 }, 'https');
    expect((await client.lifecycleControllerStatus(target(endpoint), cred(endpoint))).ready).toBe(true);

    const started = await client.startFirmwareUpdate(target(endpoint), cred(endpoint), 'https://repo.example/BIOS_X_WN64_1.9.9.EXE');
    await until(endpoint, started.job_id, (s) => s.raw_state === 'Scheduled');
    await endpoint.setFault({ kind: 'no-body', status: 204, match: /DeleteJobQueue$/, times: 1 }, 'https');
    expect((await client.deleteJob(target(endpoint), cred(endpoint), started.job_id)).outcome).toBe('deleted');

    await endpoint.setFault({ kind: 'no-body', status: 204, match: /ComputerSystem\.Reset$/, times: 1 }, 'https');
    expect(await client.powerReset(target(endpoint), cred(endpoint), 'ForceRestart')).toEqual({ outcome: 'accepted' });
  });
});
