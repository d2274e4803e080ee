import type { IdracJobState, IdracJobStatus } from '../../../ports/idrac';
import { IdracError } from '../../../ports/idrac';
import { at, isObject, type JsonObject, str } from './json';
import { JOB_LOCATIONS } from './paths';
import type { RedfishSession } from './session';

export type JobSource = IdracJobStatus['source'];

// Dell JobState and DMTF TaskState/JobState values, folded into the port's states.
const STATES: Record<string, IdracJobState> = {
  new: 'pending',
  scheduled: 'pending',
  scheduling: 'pending',
  downloaded: 'pending',
  waiting: 'pending',
  readyforexecution: 'pending',
  pending: 'pending',
  paused: 'pending',
  suspended: 'pending',
  service: 'pending',
  starting: 'running',
  downloading: 'running',
  running: 'running',
  rebootpending: 'running',
  rebootcompleted: 'running',
  stopping: 'running',
  cancelling: 'running',
  interrupted: 'running',
  completed: 'completed',
  completedwitherrors: 'failed',
  failed: 'failed',
  rebootfailed: 'failed',
  exception: 'failed',
  aborted: 'failed',
  killed: 'cancelled',
  cancelled: 'cancelled',
};

function stateOf(raw: string): IdracJobState {
  return STATES[raw.replace(/[\s_-]/g, '').toLowerCase()] ?? 'unknown';
}

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
  return {
    job_id: jobId,
    state: stateOf(raw),
    raw_state: raw,
    percent_complete: percent(at(dell, 'PercentComplete')) ?? percent(body.PercentComplete),
    message,
    ...(messageId ? { message_id: messageId } : {}),
    source,
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
