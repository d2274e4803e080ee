import { createHash } from 'node:crypto';
import { registryMessage } from './messages';

export type JobState = 'New' | 'Downloading' | 'Downloaded' | 'Scheduled' | 'Running' | 'Completed' | 'Failed';
export type ApplyTime = 'Immediate' | 'OnReset' | 'OnStartUpdateRequest';

export interface SimJob {
  id: string;
  name: string;
  jobType: string;
  state: JobState;
  percentComplete: number;
  /** Bare iDRAC message key (RED003, JCP001, RED001, ...). */
  messageKey: string;
  messageArgs: string[];
  startTime: Date;
  runningStart?: Date;
  runningStop?: Date;
  completionTime?: Date;
  targets: string[];
  version?: string;
  applyTime: ApplyTime;
  /** The job itself reboots the host (DellUpdateService.Install NowAndReboot). */
  rebootHost: boolean;
  awaitingBoot: boolean;
  /** WS-Man InstallFromURI: held at Downloaded until SetupJobQueue. */
  holdUntilScheduled?: boolean;
  /** Injected at submit time (`failNextUpdate`). */
  failure?: { messageKey: string; at: 'download' | 'apply' };
  /** A reboot job (WS-Man CreateRebootJob): how it reboots the host. */
  reboot?: 'PowerCycle' | 'GracefulRestart' | 'GracefulThenForced';
}

export function jobMessage(job: SimJob): string {
  return registryMessage(job.messageKey, job.messageArgs).message;
}

export function isActive(job: SimJob): boolean {
  return job.state !== 'Completed' && job.state !== 'Failed';
}

/** The iDRAC job queue (Lifecycle Controller jobs), shared by every Redfish path that shows it. */
export class JobQueue {
  private readonly jobs = new Map<string, SimJob>();
  private counter: bigint;

  constructor(seedLabel: string) {
    // JIDs look like the capture's JID_102241909559: 12 digits, distinct per endpoint, increasing.
    const offset = BigInt(`0x${createHash('sha256').update(seedLabel).digest('hex').slice(0, 12)}`) % 800_000_000_000n;
    this.counter = 100_000_000_000n + offset;
  }

  /** A new job: `JID_…`, or with `prefix` another kind of id (`RID_…` for a reboot job). */
  create(fields: Omit<SimJob, 'id' | 'startTime'>, prefix = 'JID'): SimJob {
    this.counter += 1n;
    const job: SimJob = { ...fields, id: `${prefix}_${this.counter}`, startTime: new Date() };
    this.jobs.set(job.id, job);
    return job;
  }

  /** A job someone else created (another tool, an operator at the console), as the control API seeds it. */
  add(job: SimJob): void {
    this.jobs.set(job.id, job);
  }

  get(id: string): SimJob | undefined {
    return this.jobs.get(id);
  }

  has(job: SimJob): boolean {
    return this.jobs.get(job.id) === job;
  }

  list(): SimJob[] {
    return [...this.jobs.values()];
  }

  delete(id: string): boolean {
    return this.jobs.delete(id);
  }

  clear(): void {
    this.jobs.clear();
  }
}
