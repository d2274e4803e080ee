import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimEvent, SimulatorFleet } from '../../infra/local/simulators';
import { agentFor, basic, call, eventually, extendedInfo, failureCode, origin, REDFISH, redfishOf, startFleet } from './helpers';

const { SYSTEM, MANAGER, RESET, SIMPLE_UPDATE, INVENTORY } = REDFISH;
const IDRAC_DUP = 'http://repo.lab.example/iDRAC-with-Lifecycle-Controller_Firmware_ABCDE_WN64_7.00.00.00_A00.EXE';
const BIOS_DUP = 'http://repo.lab.example/BIOS_XYZ12_WN64_1.9.2.EXE';

let fleet: SimulatorFleet;
const events: SimEvent[][] = [[], [], [], []];

beforeAll(async () => {
  // speed 200: a 30 s firmware job takes ~0.15 s, a 90 s iDRAC reset ~0.45 s.
  fleet = await startFleet({
    count: 4,
    baseAddress: '127.33.0.1',
    speed: 200,
    // Endpoint 2 is watched while its iDRAC resets: a slower clock keeps it down for ~1.8 s even on a busy CI host.
    endpoint: (i) => (i === 2 ? { speed: 50 } : {}),
    onEvent: (i, e) => events[i]?.push(e),
  });
});
afterAll(() => fleet.stop());

const client = (index: number) => redfishOf(fleet.endpoint(index).info());

describe('power', () => {
  it('Reset changes the power state; On passes through PoweringOn', async () => {
    const { rf } = client(0);
    expect((await rf(RESET, { method: 'POST', body: { ResetType: 'ForceOff' } })).status).toBe(204);
    expect((await rf(SYSTEM)).json.PowerState).toBe('Off');
    expect((await rf(RESET, { method: 'POST', body: { ResetType: 'On' } })).status).toBe(204);
    expect((await rf(SYSTEM)).json.PowerState).toBe('PoweringOn');
    await eventually(async () => ((await rf(SYSTEM)).json.PowerState === 'On' ? true : undefined));
    expect(events[0]).toContainEqual({ type: 'power', state: 'On' });
  });

  it('refuses impossible and invalid resets with iDRAC messages', async () => {
    const { rf } = client(0);
    const already = await rf(RESET, { method: 'POST', body: { ResetType: 'On' } });
    expect(already.status).toBe(409);
    expect(extendedInfo(already.json)).toMatchObject({ MessageId: 'IDRAC.2.7.PSU501', Message: 'Server is already powered ON.' });
    const invalid = await rf(RESET, { method: 'POST', body: { ResetType: 'Explode' } });
    expect(invalid.status).toBe(400);
    expect(extendedInfo(invalid.json).MessageId).toBe('Base.1.12.ActionParameterValueNotInList');
    expect((await rf(RESET, { method: 'POST', body: '{not json' })).status).toBe(400);
    expect((await rf(RESET, { method: 'POST', body: {} })).status).toBe(400);
  });

  it('GracefulShutdown goes through PoweringOff to Off; WS-Man-free control API can force a state', async () => {
    const { rf } = client(0);
    await rf(RESET, { method: 'POST', body: { ResetType: 'GracefulShutdown' } });
    await eventually(async () => ((await rf(SYSTEM)).json.PowerState === 'Off' ? true : undefined));
    fleet.endpoint(0).setPower('On');
    fleet.endpoint(0).setHealth('Critical');
    expect((await rf(SYSTEM)).json).toMatchObject({ PowerState: 'On', Status: { HealthRollup: 'Critical' } });
    fleet.endpoint(0).setHealth('OK');
  });
});

describe('firmware update jobs', () => {
  it('SimpleUpdate of an iDRAC package: 202 + JID, progresses to Completed on every job path, inventory updated', async () => {
    const { rf, info } = client(1);
    const accepted = await rf(SIMPLE_UPDATE, { method: 'POST', body: { ImageURI: IDRAC_DUP, TransferProtocol: 'HTTP' } });
    expect(accepted.status).toBe(202);
    const location = accepted.headers.location as string;
    expect(location).toMatch(/^\/redfish\/v1\/TaskService\/Tasks\/JID_\d{12}$/);
    const jid = location.split('/').pop()!;

    // The iDRAC resets itself as the job completes: polls may fail meanwhile, which is expected.
    const task = await eventually(async () => {
      const res = await rf(location);
      return res.status === 200 && res.json.TaskState === 'Completed' ? res.json : undefined;
    });
    expect(task).toMatchObject({
      Id: jid,
      TaskStatus: 'OK',
      PercentComplete: 100,
      Oem: { Dell: { JobState: 'Completed', JobType: 'FirmwareUpdate', MessageId: 'RED001' } },
    });
    expect(task.Messages[0]).toMatchObject({ Message: 'Job completed successfully.', MessageId: 'IDRAC.2.7.RED001' });
    const progress = events[1]!.flatMap((e) => (e.type === 'job' && e.jobId === jid ? [`${e.state}:${e.percent}`] : []));
    expect(progress).toEqual([
      'Downloading:0',
      'Scheduled:0',
      'Running:0',
      'Running:17',
      'Running:33',
      'Running:50',
      'Running:67',
      'Running:83',
      'Completed:100',
    ]);

    for (const path of [`${MANAGER}/Oem/Dell/Jobs/${jid}`, `${MANAGER}/Jobs/${jid}`]) {
      const job = await rf(path);
      expect(job.status).toBe(200);
      expect(job.json).toMatchObject({
        '@odata.id': path,
        Id: jid,
        JobState: 'Completed',
        PercentComplete: 100,
        Name: 'Firmware Update: iDRAC',
      });
    }
    expect((await rf(`/redfish/v1/JobService/Jobs/${jid}`)).json).toMatchObject({ JobState: 'Completed', JobStatus: 'OK' });
    expect((await rf(`${MANAGER}/Oem/Dell/Jobs`)).json.Members).toContainEqual({ '@odata.id': `${MANAGER}/Oem/Dell/Jobs/${jid}` });

    const ids = (await rf(INVENTORY)).json.Members.map((m: { '@odata.id': string }) => m['@odata.id'].split('/').pop());
    expect(ids).toContain('Installed-25227-7.00.00.00__iDRAC.Embedded.1-1');
    expect(ids).toContain('Previous-25227-6.00.30.00__iDRAC.Embedded.1-1');
    expect(ids).toContain('Installed-28897-7.00.00.00__USC.Embedded.1:LC.Embedded.1');
    expect(ids).not.toContain('Installed-25227-6.00.30.00__iDRAC.Embedded.1-1');
    expect((await rf(MANAGER)).json.FirmwareVersion).toBe('7.00.00.00');
    expect(fleet.endpoint(1).info().idracFirmware).toBe('7.00.00.00');
    expect(info.idracFirmware).toBe('6.00.30.00');
  });

  it('the iDRAC is unreachable while it resets after its own update, then back without old sessions', async () => {
    const { rf, info } = client(2);
    const session = await rf('/redfish/v1/SessionService/Sessions', {
      method: 'POST',
      auth: 'none',
      body: { UserName: 'root', Password: 'calvin' },
    });
    const token = session.headers['x-auth-token'] as string;
    const down = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (events[2]?.some((e) => e.type === 'manager-reboot' && e.phase === 'down')) resolve(clearInterval(check));
      }, 5);
    });
    await rf(SIMPLE_UPDATE, { method: 'POST', body: { ImageURI: IDRAC_DUP } });
    await down;
    expect(await failureCode(call(agentFor(info), origin(info), SYSTEM, { auth: basic(info) }))).toContain('ECONNREFUSED');
    await eventually(async () => ((await rf(SYSTEM)).status === 200 ? true : undefined));
    expect(events[2]).toContainEqual({ type: 'manager-reboot', phase: 'up' });
    expect((await rf(SYSTEM, { auth: { token } })).status).toBe(401);
  });

  it('a BIOS package scheduled OnReset waits for a host reboot, then completes and changes BiosVersion', async () => {
    const { rf } = client(3);
    const accepted = await rf(SIMPLE_UPDATE, { method: 'POST', body: { ImageURI: BIOS_DUP, '@Redfish.OperationApplyTime': 'OnReset' } });
    const location = accepted.headers.location as string;
    const scheduled = await eventually(async () => {
      const t = (await rf(location)).json;
      return t.Oem.Dell.JobState === 'Scheduled' ? t : undefined;
    });
    expect(scheduled).toMatchObject({
      TaskState: 'Pending',
      Oem: { Dell: { MessageId: 'JCP001', Message: 'Task successfully scheduled.' } },
    });
    expect((await rf(SYSTEM)).json.BiosVersion).toBe('1.8.2');
    expect((await rf(RESET, { method: 'POST', body: { ResetType: 'ForceRestart' } })).status).toBe(204);
    await eventually(async () => ((await rf(location)).json.TaskState === 'Completed' ? true : undefined));
    expect((await rf(SYSTEM)).json.BiosVersion).toBe('1.9.2');
    expect((await rf(`${INVENTORY}/Previous-159-1.8.2__BIOS.Setup.1-1`)).status).toBe(200);
  });

  it('upload to HttpPushUri then DellUpdateService.Install creates a job that completes', async () => {
    const { rf } = client(3);
    const inventory = await rf(INVENTORY);
    const boundary = 'simboundary';
    const multipart =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="Diagnostics_Application_ABC_WN64_4302A00_4302.1.EXE"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\nMZ-not-really-a-DUP\r\n--${boundary}--\r\n`;
    const uploaded = await rf(INVENTORY, {
      method: 'POST',
      body: multipart,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'if-match': inventory.headers.etag as string },
    });
    expect(uploaded.status).toBe(201);
    // The version is the package name's last dotted number (see state/packages.ts).
    expect(uploaded.json.Id).toBe('Available-25806-4302.1__Diagnostics.Embedded.1:LC.Embedded.1');
    const install = await rf('/redfish/v1/UpdateService/Actions/Oem/DellUpdateService.Install', {
      method: 'POST',
      body: { SoftwareIdentityURIs: [uploaded.headers.location], InstallUpon: 'Now' },
    });
    expect(install.status).toBe(202);
    const location = install.headers.location as string;
    await eventually(async () => ((await rf(location)).json.TaskState === 'Completed' ? true : undefined));
    expect(fleet.endpoint(3).firmware()).toContainEqual({ fqdd: 'Diagnostics.Embedded.1:LC.Embedded.1', version: '4302.1' });
  });

  it('reports failures as an iDRAC does: forced signature failure, duplicate job, unknown package', async () => {
    const { rf } = client(3);
    fleet.endpoint(3).failNextUpdate('RED007');
    const failed = (await rf(SIMPLE_UPDATE, { method: 'POST', body: { ImageURI: 'http://repo/CPLD_X_WN64_1.0.9.EXE' } })).headers
      .location as string;
    const task = await eventually(async () => {
      const t = (await rf(failed)).json;
      return t.TaskState === 'Exception' ? t : undefined;
    });
    expect(task).toMatchObject({ TaskStatus: 'Critical', Oem: { Dell: { JobState: 'Failed', MessageId: 'RED007' } } });

    const first = (await rf(SIMPLE_UPDATE, { method: 'POST', body: { ImageURI: 'http://repo/CPLD_X_WN64_1.0.9.EXE' } })).headers
      .location as string;
    await eventually(async () => ((await rf(first)).json.Oem.Dell.JobState === 'Scheduled' ? true : undefined));
    const second = (await rf(SIMPLE_UPDATE, { method: 'POST', body: { ImageURI: 'http://repo/CPLD_X_WN64_1.0.9.EXE' } })).headers
      .location as string;
    const duplicate = await eventually(async () => {
      const t = (await rf(second)).json;
      return t.TaskState === 'Exception' ? t : undefined;
    });
    expect(duplicate.Messages[0].Message).toBe('Job for this device is already present.');

    const unknown = (await rf(SIMPLE_UPDATE, { method: 'POST', body: { ImageURI: 'http://repo/whatever.bin' } })).headers
      .location as string;
    await eventually(async () => ((await rf(unknown)).json.Oem.Dell.MessageId === 'RED013' ? true : undefined));
    expect((await rf(SIMPLE_UPDATE, { method: 'POST', body: {} })).status).toBe(400);
    expect((await rf(SIMPLE_UPDATE, { method: 'POST', body: { ImageURI: 'gopher://x/BIOS_1.2.3.EXE' } })).status).toBe(400);
  });

  it('deletes only the job asked for (DeleteJobQueue with a JobID, DELETE on a job)', async () => {
    const { rf } = client(3);
    const jobs = (await rf(`${MANAGER}/Oem/Dell/Jobs`)).json.Members.map((m: { '@odata.id': string }) => m['@odata.id'].split('/').pop());
    expect(jobs.length).toBeGreaterThan(2);
    const [victim, other] = jobs as [string, string];
    const deleted = await rf(`${MANAGER}/Oem/Dell/DellJobService/Actions/DellJobService.DeleteJobQueue`, {
      method: 'POST',
      body: { JobID: victim },
    });
    expect(deleted.status).toBe(200);
    expect((await rf(`${MANAGER}/Oem/Dell/Jobs/${victim}`)).status).toBe(404);
    expect((await rf(`${MANAGER}/Jobs/${other}`)).status).toBe(200);
    expect((await rf(`${MANAGER}/Jobs/${other}`, { method: 'DELETE' })).status).toBe(200);
    expect((await rf(`/redfish/v1/TaskService/Tasks/${other}`)).status).toBe(404);
    const unknown = await rf(`${MANAGER}/Oem/Dell/DellJobService/Actions/DellJobService.DeleteJobQueue`, {
      method: 'POST',
      body: { JobID: 'JID_000000000000' },
    });
    expect(extendedInfo(unknown.json).MessageId).toBe('IDRAC.2.7.JCP022');
    const status = await rf(`${MANAGER}/Oem/Dell/DellLCService/Actions/DellLCService.GetRemoteServicesAPIStatus`, {
      method: 'POST',
      body: {},
    });
    expect(status.json).toMatchObject({ LCStatus: expect.any(String), Status: expect.any(String), ServerStatus: 'OutOfPOST' });
  });
});
