import type { IdracJobStatus, JobDeleted } from '../../../ports/idrac';
import { IdracError } from '../../../ports/idrac';
import { stateOf } from '../job-states';
import { at, isObject, type JsonObject, redfishMessage, str } from './json';
import { DELETE_JOB_ACTION, JOB_LOCATIONS, JOB_QUEUES } from './paths';
import type { RedfishSession } from './session';

export type JobSource = Exclude<IdracJobStatus['source'], 'wsman'>;

function percent(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A Dell job (either queue path) or a DMTF task; Dell's JobState wins when a task carries one (tasks may lag). */
function readJob(jobId: string, body: JsonObject, source: JobSource): IdracJobStatus {
  const dell = source === 'task_service' ? at(body, 'Oem', 'Dell') : body;
  const dellState = str(at(dell, 'JobState'));
  const raw = dellState || str(body.TaskState) || str(body.JobState);
  const messages = Array.isArray(body.Messages) ? body.Messages.filter(isObject) : [];
  const message = str(at(dell, 'Message')) || str(messages[0]?.Message);
  const messageId = str(at(dell, 'MessageId')) || str(messages[0]?.MessageId);
  const name = str(at(dell, 'Name')) || str(body.Name);
  const jobType = str(at(dell, 'JobType'));
  return {
    job_id: jobId,
    state: stateOf(raw),
    raw_state: raw,
    percent_complete: percent(at(dell, 'PercentComplete')) ?? percent(body.PercentComplete),
    message,
    ...(messageId ? { message_id: messageId } : {}),
    source,
    ...(name ? { name } : {}),
    ...(jobType ? { job_type: jobType } : {}),
  };
}

/**
 * Reads a job where this iDRAC keeps it, starting with the place that answered last time (`preferred`):
 * Dell's queue at Oem/Dell/Jobs (iDRAC9 4.x+), then Managers/…/Jobs (older firmware, iDRAC7/8), then the
 * TaskService. 404 everywhere → 'not_found' (the iDRAC may have purged a finished job: keep a ledger).
 */
export async function readJobStatus(
  session: RedfishSession,
  address: string,
  jobId: string,
  preferred?: JobSource,
): Promise<IdracJobStatus> {
  const order = [...JOB_LOCATIONS].sort((a, b) => Number(b.source === preferred) - Number(a.source === preferred));
  for (const location of order) {
    const path = location.path(jobId);
    const response = await session.request('GET', path);
    if (response.status === 404 || response.status === 400) continue;
    if (response.status < 200 || response.status >= 300) throw session.httpError('GET', path, response);
    return readJob(jobId, response.json(), location.source);
  }
  throw new IdracError('not_found', `iDRAC ${address} knows no job ${jobId} (job queue and task service both answered 404)`, address, {
    job_id: jobId,
  });
}

/**
 * Every job in the queue, with `$expand` where the service offers it (one GET), else one GET per member.
 * A member that disappears between the two reads (finished and purged) is left out.
 */
export async function listJobs(session: RedfishSession, address: string, expand: string | undefined): Promise<IdracJobStatus[]> {
  for (const queue of JOB_QUEUES) {
    const collection = queue.collection;
    const member = (id: string) => `${collection}/${encodeURIComponent(id)}`;
    const response = await session.request('GET', expand ? `${collection}?$expand=${expand}` : collection);
    if (response.status === 404 || response.status === 400) continue;
    if (response.status < 200 || response.status >= 300) throw session.httpError('GET', collection, response);
    const members = Array.isArray(response.json().Members) ? (response.json().Members as unknown[]).filter(isObject) : [];
    const jobs = await Promise.all(
      members.map(async (item) => {
        const id = str(item.Id) || decodeURIComponent(str(item['@odata.id']).split('/').pop() ?? '');
        if (str(item.JobState)) return readJob(id, item, queue.source);
        const one = await session.request('GET', member(id));
        if (one.status === 404) return undefined;
        if (one.status < 200 || one.status >= 300) throw session.httpError('GET', member(id), one);
        return readJob(id, one.json(), queue.source);
      }),
    );
    return jobs.filter((j): j is IdracJobStatus => j !== undefined);
  }
  throw new IdracError('not_found', `iDRAC ${address} has no job queue (both job queue paths answered 404)`, address);
}

/** What Dell's queue-wide ids look like: never sent by EIO. */
const WHOLE_QUEUE = /^JID_CLEARALL/i;

export function refuseWholeQueue(address: string, jobId: string): void {
  if (!WHOLE_QUEUE.test(jobId) && /^[A-Z]+_\w+$/i.test(jobId)) return;
  throw new IdracError('not_supported', `EIO deletes one iDRAC job at a time, by its id; refusing '${jobId}' on ${address}`, address, {
    job_id: jobId,
  });
}

/** JCP022 "Invalid Job ID … for scheduling or deletion": the iDRAC does not know it. */
const UNKNOWN_JOB = /(JCP022|SYS403|ResourceMissingAtURI)$/;

/**
 * DellJobService.DeleteJobQueue with this one JobID; where that action does not exist (404/405: older
 * firmware), DELETE on the job in the queue. A job the iDRAC does not know is `not_found`.
 */
export async function deleteJob(session: RedfishSession, address: string, jobId: string): Promise<JobDeleted> {
  refuseWholeQueue(address, jobId);
  const response = await session.request('POST', DELETE_JOB_ACTION, { JobID: jobId });
  if (response.status >= 200 && response.status < 300) return { job_id: jobId, outcome: 'deleted' };
  if (UNKNOWN_JOB.test(redfishMessage(response.text).messageId ?? '')) return { job_id: jobId, outcome: 'not_found' };
  if (response.status !== 404 && response.status !== 405) throw session.httpError('POST', DELETE_JOB_ACTION, response);
  for (const queue of JOB_QUEUES) {
    const path = `${queue.collection}/${encodeURIComponent(jobId)}`;
    const deleted = await session.request('DELETE', path);
    if (deleted.status >= 200 && deleted.status < 300) return { job_id: jobId, outcome: 'deleted' };
    if (UNKNOWN_JOB.test(redfishMessage(deleted.text).messageId ?? '')) return { job_id: jobId, outcome: 'not_found' };
    if (deleted.status !== 404 && deleted.status !== 405) throw session.httpError('DELETE', path, deleted);
  }
  return { job_id: jobId, outcome: 'not_found' };
}
