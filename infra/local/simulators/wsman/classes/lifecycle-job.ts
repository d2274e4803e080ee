import type { SimulatedHost } from '../../state/host';
import { jobMessage, type SimJob } from '../../state/jobs';
import { registryMessage } from '../../state/messages';
import type { CimValue } from '../xml';
import { cimDateTime } from './cim-time';

/** DCIM_LifecycleJob: the same queue Redfish shows, as iDRAC7/8 report it over WS-Man. */
export function lifecycleJob(job: SimJob): Record<string, CimValue> {
  const key = registryMessage(job.messageKey, job.messageArgs).key;
  return {
    ElementName: job.name,
    InstanceID: job.id,
    JobStartTime: job.applyTime === 'Immediate' ? 'TIME_NOW' : cimDateTime(job.startTime),
    JobStatus: job.state,
    JobUntilTime: 'TIME_NA',
    Message: jobMessage(job),
    MessageArguments: job.messageArgs.length ? job.messageArgs : null,
    MessageID: key,
    Name: job.name,
    PercentComplete: job.state === 'New' ? 'NA' : String(job.percentComplete),
  };
}

export function lifecycleJobs(host: SimulatedHost): Array<Record<string, CimValue>> {
  return host.jobs.list().map(lifecycleJob);
}
