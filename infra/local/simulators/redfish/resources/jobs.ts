import { fixture, type Json, render } from '../../fixtures/load';
import type { RedfishFlavor } from '../../identity/profiles';
import type { SimulatedHost } from '../../state/host';
import { type JobState, jobMessage, type SimJob } from '../../state/jobs';
import { registryMessage } from '../../state/messages';
import { dellJobTime, withOffset } from '../format';
import { members, ok, redfishError, successInfo } from '../result';
import type { RouteDef } from '../router';

const MANAGER = '/redfish/v1/Managers/iDRAC.Embedded.1';
const DELL_JOBS = `${MANAGER}/Oem/Dell/Jobs`;
const OLD_JOBS = `${MANAGER}/Jobs`;
const TASKS = '/redfish/v1/TaskService/Tasks';

interface JobsFixture {
  dellJobCollection: Json;
  dellJob: Json;
  jobService: Json;
  jobCollection: Json;
  job: Json;
  taskService: Json;
  taskCollection: Json;
  task: Json;
}

const templates = () => fixture<JobsFixture>('redfish/jobs.json');
type JsonObject = { [key: string]: Json };

/** Where the Manager links its job queue: the Oem path on iDRAC9, the older path before it. */
export function jobsPath(flavor: RedfishFlavor): string {
  return flavor === 'full' ? DELL_JOBS : OLD_JOBS;
}

/** DMTF Job/Task states for a Dell JobState (what Dell's own scripts poll for). */
const TASK_STATE: Record<JobState, string> = {
  New: 'New',
  Downloading: 'Running',
  Downloaded: 'Pending',
  Scheduled: 'Pending',
  Running: 'Running',
  Completed: 'Completed',
  Failed: 'Exception',
};
const JOB_STATE: Record<JobState, string> = { ...TASK_STATE, Downloading: 'Starting' };

export function dellJob(job: SimJob, path: string): Json {
  return render(templates().dellJob, {
    Path: path,
    ActualRunningStartTime: dellJobTime(job.runningStart),
    ActualRunningStopTime: dellJobTime(job.runningStop),
    CompletionTime: dellJobTime(job.completionTime),
    Id: job.id,
    JobState: job.state,
    JobType: job.jobType,
    Message: jobMessage(job),
    MessageArgs: job.messageArgs,
    MessageArgsCount: job.messageArgs.length,
    MessageId: job.messageKey,
    Name: job.name,
    PercentComplete: job.percentComplete,
    StartTime: job.applyTime === 'Immediate' ? 'TIME_NOW' : dellJobTime(job.startTime),
  });
}

function commonValues(job: SimJob): Record<string, unknown> {
  const message = registryMessage(job.messageKey, job.messageArgs);
  return {
    Id: job.id,
    Name: job.name,
    PercentComplete: job.percentComplete,
    StartTimeWithOffset: withOffset(job.startTime),
    EndTimeWithOffset: job.completionTime ? withOffset(job.completionTime) : null,
    JobStatus: job.state === 'Failed' ? 'Critical' : 'OK',
    Messages: [
      {
        Message: message.message,
        MessageArgs: job.messageArgs,
        'MessageArgs@odata.count': job.messageArgs.length,
        MessageId: message.messageId,
      },
    ],
    MessagesCount: 1,
  };
}

export function taskResource(job: SimJob): Json {
  const { '@odata.context': _context, '@odata.id': _id, ...oem } = dellJob(job, `${DELL_JOBS}/${job.id}`) as JsonObject;
  return render(templates().task, { ...commonValues(job), TaskState: TASK_STATE[job.state], DellJob: oem });
}

function jobServiceJob(job: SimJob): Json {
  return render(templates().job, { ...commonValues(job), RedfishJobState: JOB_STATE[job.state] });
}

function dellJobRoutes(base: string): RouteDef[] {
  return [
    {
      method: 'GET',
      pattern: base,
      handler: ({ host }) => {
        const paths = host.jobs.list().map((j) => `${base}/${j.id}`);
        return ok(render(templates().dellJobCollection, { CollectionPath: base, Members: members(paths), MembersCount: paths.length }));
      },
    },
    {
      method: 'GET',
      pattern: `${base}/:jid`,
      handler: ({ host, params, req }) => {
        const job = host.jobs.get(params.jid ?? '');
        return job ? ok(dellJob(job, `${base}/${job.id}`)) : redfishError(404, 'SYS403', [req.path]);
      },
    },
    {
      method: 'DELETE',
      pattern: `${base}/:jid`,
      privilege: 'ConfigureManager',
      handler: ({ host, params }) => {
        const jid = params.jid ?? '';
        const job = host.jobs.get(jid);
        if (!job) return redfishError(400, 'JCP022', [jid]);
        if (job.state === 'Running') return redfishError(400, 'JCP015');
        host.jobs.delete(jid);
        return successInfo(200, 'SYS413');
      },
    },
  ];
}

function byId(host: SimulatedHost, jid: string | undefined): SimJob | undefined {
  return jid ? host.jobs.get(jid) : undefined;
}

export function jobRoutes(flavor: RedfishFlavor): RouteDef[] {
  const routes: RouteDef[] = [
    // Older iDRAC9 firmware (and iDRAC7/8) expose the queue here; 6.x answers on both paths.
    ...dellJobRoutes(OLD_JOBS),
    {
      method: 'GET',
      pattern: '/redfish/v1/TaskService',
      handler: () => ok(render(templates().taskService, { DateTime: withOffset(new Date()) })),
    },
    {
      method: 'GET',
      pattern: TASKS,
      handler: ({ host }) => {
        const paths = host.jobs.list().map((j) => `${TASKS}/${j.id}`);
        return ok(render(templates().taskCollection, { Members: members(paths), MembersCount: paths.length }));
      },
    },
    {
      method: 'GET',
      pattern: `${TASKS}/:jid`,
      handler: ({ host, params, req }) => {
        const job = byId(host, params.jid);
        return job ? ok(taskResource(job)) : redfishError(404, 'SYS403', [req.path]);
      },
    },
  ];
  if (flavor === 'full') {
    routes.push(
      ...dellJobRoutes(DELL_JOBS),
      {
        method: 'GET',
        pattern: '/redfish/v1/JobService',
        handler: () => ok(render(templates().jobService, { DateTime: withOffset(new Date()) })),
      },
      {
        method: 'GET',
        pattern: '/redfish/v1/JobService/Jobs',
        handler: ({ host }) => {
          const paths = host.jobs.list().map((j) => `/redfish/v1/JobService/Jobs/${j.id}`);
          return ok(render(templates().jobCollection, { Members: members(paths), MembersCount: paths.length }));
        },
      },
      {
        method: 'GET',
        pattern: '/redfish/v1/JobService/Jobs/:jid',
        handler: ({ host, params, req }) => {
          const job = byId(host, params.jid);
          return job ? ok(jobServiceJob(job)) : redfishError(404, 'SYS403', [req.path]);
        },
      },
    );
  }
  return routes;
}
