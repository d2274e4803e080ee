import type { SimEventSink } from './events';
import type { FirmwareInventory } from './firmware';
import { type ApplyTime, isActive, type JobQueue, type SimJob } from './jobs';
import type { ResolvedPackage } from './packages';
import type { PowerModel } from './power';
import type { Durations, Timers } from './timers';

export interface UpdateRequest {
  pkg: ResolvedPackage;
  applyTime: ApplyTime;
  rebootHost: boolean;
  /** WS-Man InstallFromURI: the job waits, Downloaded, until SetupJobQueue schedules it. */
  holdUntilScheduled?: boolean;
}

/** A failure the next update job meets: after its download (bad package) or while it is applied. */
export interface InjectedFailure {
  messageKey: string;
  at: 'download' | 'apply';
}

const RUN_STEPS = 6;
export const IDRAC_FQDD = 'iDRAC.Embedded.1-1';

/**
 * Drives firmware update jobs the way an iDRAC9 reports them:
 * Downloading (RED003) → Scheduled (JCP001) → [waits for a host reboot if the device needs one]
 * → Running with PercentComplete (PR20) → Completed (RED001), then the inventory shows the new version.
 * Staged jobs run while the host POSTs after a reboot. An iDRAC package makes the iDRAC itself reset right
 * as it completes, so it is briefly unreachable.
 */
export class UpdateEngine {
  private failure: InjectedFailure | undefined;

  constructor(
    private readonly deps: {
      inventory: FirmwareInventory;
      jobs: JobQueue;
      timers: Timers;
      durations: Durations;
      power: PowerModel;
      managerReboot: () => void;
      emit: SimEventSink;
    },
  ) {}

  /**
   * Control API: the next update job fails with this iDRAC message — after its download (default RED007,
   * bad signature) or, with `at: 'apply'`, while it runs (the device keeps its version).
   */
  failNext(messageKey = 'RED007', at: InjectedFailure['at'] = 'download'): void {
    this.failure = { messageKey, at };
  }

  submit(request: UpdateRequest): SimJob {
    const { pkg } = request;
    const label = pkg.targets[0] ? displayName(pkg.targets[0], this.deps.inventory) : pkg.packageName;
    const job = this.deps.jobs.create({
      name: `Firmware Update: ${label}`,
      jobType: 'FirmwareUpdate',
      state: 'Downloading',
      percentComplete: 0,
      messageKey: 'RED003',
      messageArgs: [],
      targets: pkg.targets,
      version: pkg.version,
      applyTime: request.applyTime,
      rebootHost: request.rebootHost,
      awaitingBoot: false,
      ...(request.holdUntilScheduled ? { holdUntilScheduled: true } : {}),
      ...(this.failure ? { failure: this.failure } : {}),
    });
    this.failure = undefined;
    this.changed(job);
    this.deps.timers.after(this.deps.durations.download, () => this.downloaded(job));
    return job;
  }

  /** POST began: staged jobs waiting for a reboot run now. Answers how long (base ms) they keep POST busy. */
  hostBooted(): number {
    let started = 0;
    for (const job of this.deps.jobs.list()) {
      if (job.state === 'Scheduled' && job.awaitingBoot) {
        job.awaitingBoot = false;
        this.run(job);
        started++;
      }
    }
    return started > 0 ? this.deps.durations.run : 0;
  }

  /** WS-Man SetupJobQueue: these held (Downloaded) jobs are scheduled; one still downloading is once it is. */
  scheduleHeld(job: SimJob): void {
    job.holdUntilScheduled = false;
    if (job.state === 'Downloaded') this.schedule(job);
  }

  /** WS-Man CreateRebootJob: a reboot job (RID_…) that waits, New, until SetupJobQueue runs it. */
  createRebootJob(reboot: NonNullable<SimJob['reboot']>): SimJob {
    const job = this.deps.jobs.create(
      {
        name: `Reboot: ${reboot}`,
        jobType: reboot === 'PowerCycle' ? 'PowerCycle' : reboot === 'GracefulRestart' ? 'RebootNoForce' : 'RebootForce',
        state: 'New',
        percentComplete: 0,
        messageKey: 'JCP001',
        messageArgs: [],
        targets: [],
        applyTime: 'Immediate',
        rebootHost: true,
        awaitingBoot: false,
        reboot,
      },
      'RID',
    );
    this.changed(job);
    return job;
  }

  /** SetupJobQueue with TIME_NOW for a reboot job: the host reboots and the job completes as it goes down. */
  runRebootJob(job: SimJob): void {
    this.set(job, { state: 'Scheduled', messageKey: 'JCP001' });
    this.deps.timers.after(this.deps.durations.schedule, () => {
      if (!this.deps.jobs.has(job)) return;
      const power = this.deps.power;
      const off = power.state === 'Off' || power.state === 'PoweringOff';
      power.reset(off ? 'On' : job.reboot === 'GracefulRestart' ? 'GracefulRestart' : 'ForceRestart');
      job.completionTime = new Date();
      this.set(job, { state: 'Completed', messageKey: 'PR19', percentComplete: 100 });
    });
  }

  /** UpdateService.StartUpdate: jobs held at Downloaded (OnStartUpdateRequest) go ahead. */
  startRequested(): number {
    const held = this.deps.jobs.list().filter((j) => j.state === 'Downloaded');
    for (const job of held) this.schedule(job);
    return held.length;
  }

  private downloaded(job: SimJob): void {
    if (!this.deps.jobs.has(job)) return;
    if (job.failure?.at === 'download') {
      this.fail(job, job.failure.messageKey);
      return;
    }
    if (job.targets.length === 0 || !job.version) {
      this.fail(job, 'RED013');
      return;
    }
    const clash = this.deps.jobs
      .list()
      .some(
        (other) => other !== job && isActive(other) && other.state !== 'Downloading' && other.targets.some((t) => job.targets.includes(t)),
      );
    if (clash) {
      this.fail(job, 'RED014');
      return;
    }
    if (job.applyTime === 'OnStartUpdateRequest' || job.holdUntilScheduled) {
      this.set(job, { state: 'Downloaded', messageKey: 'RED002' });
      return;
    }
    this.schedule(job);
  }

  private schedule(job: SimJob): void {
    this.set(job, { state: 'Scheduled', messageKey: 'JCP001' });
    const needsReboot = job.applyTime === 'OnReset' || job.targets.some((t) => this.deps.inventory.component(t)?.needsReboot);
    if (!needsReboot) {
      this.deps.timers.after(this.deps.durations.schedule, () => this.deps.jobs.has(job) && this.run(job));
      return;
    }
    job.awaitingBoot = true;
    if (job.rebootHost) {
      this.deps.timers.after(this.deps.durations.schedule, () => {
        const power = this.deps.power;
        power.reset(power.state === 'Off' || power.state === 'PoweringOff' ? 'On' : 'ForceRestart');
      });
    }
  }

  private run(job: SimJob): void {
    if (!this.deps.jobs.has(job)) return;
    job.runningStart = new Date();
    this.set(job, { state: 'Running', messageKey: 'PR20', percentComplete: 0 });
    const step = this.deps.durations.run / RUN_STEPS;
    for (let i = 1; i <= RUN_STEPS; i++) {
      this.deps.timers.after(step * i, () => {
        if (!this.deps.jobs.has(job) || job.state !== 'Running') return;
        if (i < RUN_STEPS) this.set(job, { percentComplete: Math.round((i * 100) / RUN_STEPS) });
        else if (job.failure?.at === 'apply') this.fail(job, job.failure.messageKey);
        else this.complete(job);
      });
    }
  }

  private complete(job: SimJob): void {
    const now = new Date();
    for (const fqdd of job.targets) {
      this.deps.inventory.install(fqdd, job.version ?? '', now);
      this.deps.emit({ type: 'firmware', fqdd, version: job.version ?? '' });
    }
    job.runningStop = now;
    job.completionTime = now;
    this.set(job, { state: 'Completed', messageKey: 'RED001', percentComplete: 100 });
    if (job.targets.includes(IDRAC_FQDD)) this.deps.managerReboot();
  }

  private fail(job: SimJob, messageKey: string): void {
    job.completionTime = new Date();
    this.set(job, { state: 'Failed', messageKey });
  }

  private set(job: SimJob, fields: Partial<SimJob>): void {
    Object.assign(job, fields);
    this.changed(job);
  }

  private changed(job: SimJob): void {
    this.deps.emit({ type: 'job', jobId: job.id, state: job.state, percent: job.percentComplete });
  }
}

function displayName(fqdd: string, inventory: FirmwareInventory): string {
  if (fqdd === IDRAC_FQDD) return 'iDRAC';
  const component = inventory.component(fqdd);
  return component?.componentType === 'BIOS' ? 'BIOS' : fqdd;
}
