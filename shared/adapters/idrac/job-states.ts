import type { IdracJobState } from '../../ports/idrac';

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

/** A Dell JobState (Redfish or WS-Man) or DMTF TaskState as one of the port's states. */
export function stateOf(raw: string): IdracJobState {
  return STATES[raw.replace(/[\s_-]/g, '').toLowerCase()] ?? 'unknown';
}
