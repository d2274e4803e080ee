import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimEvent, SimulatorFleet } from '../../infra/local/simulators';
import { eventually, REDFISH, redfishOf, startFleet } from './helpers';

// What an iDRAC does around a firmware update: staged jobs applied while the server reboots (Off, then On),
// durations set per endpoint, and failures injected at run time.
const { SYSTEM, RESET, SIMPLE_UPDATE } = REDFISH;
const LC_STATUS = '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/DellLCService/Actions/DellLCService.GetRemoteServicesAPIStatus';
const JOBS = '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/Jobs';
const DELETE_JOB = '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/DellJobService/Actions/DellJobService.DeleteJobQueue';

let fleet: SimulatorFleet;
const events: SimEvent[][] = [[], [], [], []];

beforeAll(async () => {
  fleet = await startFleet({
    count: 4,
    baseAddress: '127.73.0.1',
    speed: 200,
    generation: (i) => (i === 3 ? 'idrac8' : 'idrac9'),
    // Endpoint 1 reboots slowly: it stays Off long enough to be seen off, whatever the machine's load.
    endpoint: (i) => (i === 1 ? { durations: { rebootOff: 3_600_000 } } : {}),
    onEvent: (i, e) => events[i]?.push(e),
  });
});
afterAll(() => fleet.stop());

const client = (index: number) => redfishOf(fleet.endpoint(index).info());

const powerStates = (i: number) => events[i]!.filter((e) => e.type === 'power').map((e) => (e as { state: string }).state);
const jobStates = (i: number, jobId: string) =>
  events[i]!.filter((e) => e.type === 'job' && e.jobId === jobId).map((e) => (e as { state: string }).state);

describe('reboots', () => {
  it('an OnReset job waits, Scheduled; a restart takes the server Off then On, and the job runs while it POSTs', async () => {
    const { rf } = client(0);
    const accepted = await rf(SIMPLE_UPDATE, {
      method: 'POST',
      body: { ImageURI: 'http://repo/ServiceModule_X_WN64_5.8.0.EXE', '@Redfish.OperationApplyTime': 'OnReset' },
    });
    const jobId = String(accepted.headers.location).split('/').pop()!;
    await eventually(async () => ((await rf(`${JOBS}/${jobId}`)).json.JobState === 'Scheduled' ? true : undefined));
    events[0]!.length = 0;
    expect((await rf(RESET, { method: 'POST', body: { ResetType: 'GracefulRestart' } })).status).toBe(204);
    await eventually(async () => (fleet.endpoint(0).power === 'On' && jobStates(0, jobId).includes('Completed') ? true : undefined));
    expect(powerStates(0)).toEqual(['PoweringOff', 'Off', 'PoweringOn', 'On']);
    expect(jobStates(0, jobId)[0]).toBe('Running');
    // The job is done before the server is On again (the LC applies updates during POST).
    const order = events[0]!.map((e) => (e.type === 'power' ? e.state : e.type === 'job' && e.jobId === jobId ? e.state : ''));
    expect(order.indexOf('Completed')).toBeLessThan(order.lastIndexOf('On'));
    expect(fleet.endpoint(0).firmware()).toContainEqual({ fqdd: 'ServiceModule.Embedded.1', version: '5.8.0' });
  });

  it('the time a reboot keeps the server off is the endpoint’s own, and can change at run time', async () => {
    const { rf } = client(1);
    expect((await rf(RESET, { method: 'POST', body: { ResetType: 'ForceRestart' } })).status).toBe(204);
    // An hour off (18 s at speed 200): still off for the next request, however loaded the machine.
    expect((await rf(SYSTEM)).json.PowerState).toBe('Off');
    expect((await rf(RESET, { method: 'POST', body: { ResetType: 'On' } })).status).toBe(204);
    await eventually(async () => ((await rf(SYSTEM)).json.PowerState === 'On' ? true : undefined));

    fleet.endpoint(1).setDurations({ rebootOff: 1 });
    events[1]!.length = 0;
    expect((await rf(RESET, { method: 'POST', body: { ResetType: 'ForceRestart' } })).status).toBe(204);
    await eventually(async () => ((await rf(SYSTEM)).json.PowerState === 'On' ? true : undefined));
    expect(powerStates(1)).toEqual(['Off', 'PoweringOn', 'On']);
  });

  it('a hung reboot stays in POST with the update unapplied, until the next power command', async () => {
    const { rf } = client(2);
    const endpoint = fleet.endpoint(2);
    const accepted = await rf(SIMPLE_UPDATE, { method: 'POST', body: { ImageURI: 'http://repo/BIOS_X_WN64_1.9.5.EXE' } });
    const jobId = String(accepted.headers.location).split('/').pop()!;
    await eventually(async () => ((await rf(`${JOBS}/${jobId}`)).json.JobState === 'Scheduled' ? true : undefined));
    endpoint.hangNextReboot();
    await rf(RESET, { method: 'POST', body: { ResetType: 'PowerCycle' } });
    await eventually(async () => (endpoint.power === 'PoweringOn' ? true : undefined));
    const lc = (await rf(LC_STATUS, { method: 'POST', body: {} })).json;
    expect(lc.ServerStatus).toBe('InPOST');
    expect((await rf(`${JOBS}/${jobId}`)).json.JobState).toBe('Scheduled');

    await rf(RESET, { method: 'POST', body: { ResetType: 'ForceRestart' } });
    await eventually(async () => ((await rf(`${JOBS}/${jobId}`)).json.JobState === 'Completed' ? true : undefined));
    await eventually(async () => (endpoint.power === 'On' ? true : undefined));
    expect((await rf(SYSTEM)).json.BiosVersion).toBe('1.9.5');
  });
});

describe('failure injection', () => {
  it('a busy Lifecycle Controller reports NotReady and refuses new updates (RAC0508)', async () => {
    const { rf } = client(2);
    fleet.endpoint(2).setLifecycleBusy('InUse');
    expect((await rf(LC_STATUS, { method: 'POST', body: {} })).json).toMatchObject({ Status: 'NotReady', LCStatus: 'InUse' });
    const refused = await rf(SIMPLE_UPDATE, { method: 'POST', body: { ImageURI: 'http://repo/BIOS_X_WN64_1.9.6.EXE' } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain('RAC0508');
    fleet.endpoint(2).setLifecycleBusy(undefined);
    expect((await rf(LC_STATUS, { method: 'POST', body: {} })).json.Status).toBe('Ready');
  });

  it('an update can be made to fail while it is applied, with a Dell message id; the version stays', async () => {
    const { rf } = client(0);
    const before = fleet
      .endpoint(0)
      .firmware()
      .find((f) => f.fqdd === 'ServiceModule.Embedded.1')?.version;
    fleet.endpoint(0).failNextUpdate('RED006', 'apply');
    const accepted = await rf(SIMPLE_UPDATE, { method: 'POST', body: { ImageURI: 'http://repo/ServiceModule_X_WN64_5.9.9.EXE' } });
    const jobId = String(accepted.headers.location).split('/').pop()!;
    const job = await eventually(async () => {
      const j = (await rf(`${JOBS}/${jobId}`)).json;
      return j.JobState === 'Failed' ? j : undefined;
    });
    expect(job.MessageId).toBe('RED006');
    expect(jobStates(0, jobId)).toContain('Running');
    expect(
      fleet
        .endpoint(0)
        .firmware()
        .find((f) => f.fqdd === 'ServiceModule.Embedded.1')?.version,
    ).toBe(before);
  });
});

describe('the job queue', () => {
  it('a job EIO did not create can be seeded; deleting another job by id leaves it there', async () => {
    const { rf } = client(2);
    fleet.endpoint(2).seedJob({ id: 'JID_900000000002', name: 'Export: Server Configuration Profile', state: 'Scheduled' });
    const accepted = await rf(SIMPLE_UPDATE, {
      method: 'POST',
      body: { ImageURI: 'http://repo/ServiceModule_X_WN64_6.0.0.EXE', '@Redfish.OperationApplyTime': 'OnReset' },
    });
    const jobId = String(accepted.headers.location).split('/').pop()!;
    expect((await rf(`${JOBS}/JID_900000000002`)).json).toMatchObject({
      JobState: 'Scheduled',
      Name: 'Export: Server Configuration Profile',
    });
    await eventually(async () => ((await rf(`${JOBS}/${jobId}`)).json.JobState === 'Scheduled' ? true : undefined));
    expect((await rf(DELETE_JOB, { method: 'POST', body: { JobID: jobId } })).status).toBe(200);
    expect((await rf(`${JOBS}/${jobId}`)).status).toBe(404);
    expect((await rf(`${JOBS}/JID_900000000002`)).status).toBe(200);
  });
});

describe('push targets', () => {
  it('iDRAC9 offers multipart push; an older (legacy) service only HttpPushUri', async () => {
    expect((await client(0).rf('/redfish/v1/UpdateService')).json.MultipartHttpPushUri).toBe('/redfish/v1/UpdateService/MultipartUpload');
    const legacy = (await client(3).rf('/redfish/v1/UpdateService')).json;
    expect(legacy.MultipartHttpPushUri).toBeUndefined();
    expect(legacy.HttpPushUri).toBe('/redfish/v1/UpdateService/FirmwareInventory');
  });
});
