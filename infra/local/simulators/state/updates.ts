import type { SimEventSink } from './events';
import type { FirmwareInventory } from './firmware';
import { type ApplyTime, isActive, type JobQueue, type SimJob } from './jobs';
import type { ResolvedPackage } from './packages';
import type { PowerModel } from './power';
import { BASE_DURATIONS, type Timers } from './timers';

export interface UpdateRequest {
  pkg: ResolvedPackage;
  applyTime: ApplyTime;
  rebootHost: boolean;
}

const RUN_STEPS = 6;
export const IDRAC_FQDD = 'iDRAC.Embedded.1-1';

/**
 * Drives firmware update jobs the way an iDRAC9 reports them:
 * Downloading (RED003) → Scheduled (JCP001) → [waits for a host reboot if the device needs one]
 * → Running with PercentComplete (PR20) → Completed (RED001), then the inventory shows the new version.
 * An iDRAC package makes the iDRAC itself reset right as it completes, so it is briefly unreachable.
 */
export class UpdateEngine {
  private failNextKey: string | undefined;

  constructor(
    private readonly deps: {
      inventory: FirmwareInventory;
      jobs: JobQueue;
      timers: Timers;
      power: PowerModel;
      managerReboot: () => void;
      emit: SimEventSink;
    },
  ) {}

  /** Control API: the next update job fails after download with this iDRAC message (e.g. RED007). */
  failNext(messageKey = 'RED007'): void {
    this.failNextKey = messageKey;
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
    });
    this.changed(job);
    this.deps.timers.after(BASE_DURATIONS.download, () => this.downloaded(job));
    return job;
  }

  /** The host booted: staged jobs waiting for a reboot start now. */
  hostBooted(): void {
    for (const job of this.deps.jobs.list()) {
      if (job.state === 'Scheduled' && job.awaitingBoot) {
        job.awaitingBoot = false;
        this.run(job);
      }
    }
  }

  /** UpdateService.StartUpdate: jobs held at Downloaded (OnStartUpdateRequest) go ahead. */
  startRequested(): number {
    const held = this.deps.jobs.list().filter((j) => j.state === 'Downloaded');
    for (const job of held) this.schedule(job);
    return held.length;
  }

  private downloaded(job: SimJob): void {
    if (!this.deps.jobs.has(job)) return;
    if (this.failNextKey) {
      const key = this.failNextKey;
      this.failNextKey = undefined;
      this.fail(job, key);
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
    if (job.applyTime === 'OnStartUpdateRequest') {
      this.set(job, { state: 'Downloaded', messageKey: 'RED002' });
      return;
    }
    this.schedule(job);
  }

  private schedule(job: SimJob): void {
    this.set(job, { state: 'Scheduled', messageKey: 'JCP001' });
    const needsReboot = job.applyTime === 'OnReset' || job.targets.some((t) => this.deps.inventory.component(t)?.needsReboot);
    if (!needsReboot) {
      this.deps.timers.after(BASE_DURATIONS.schedule, () => this.deps.jobs.has(job) && this.run(job));
      return;
    }
    job.awaitingBoot = true;
    if (job.rebootHost) {
      this.deps.timers.after(BASE_DURATIONS.schedule, () => {
        const power = this.deps.power;
        power.reset(power.state === 'Off' || power.state === 'PoweringOff' ? 'On' : 'ForceRestart');
      });
    }
  }

  private run(job: SimJob): void {
    if (!this.deps.jobs.has(job)) return;
    job.runningStart = new Date();
    this.set(job, { state: 'Running', messageKey: 'PR20', percentComplete: 0 });
    const step = BASE_DURATIONS.run / RUN_STEPS;
    for (let i = 1; i <= RUN_STEPS; i++) {
      this.deps.timers.after(step * i, () => {
        if (!this.deps.jobs.has(job) || job.state !== 'Running') return;
        if (i < RUN_STEPS) this.set(job, { percentComplete: Math.round((i * 100) / RUN_STEPS) });
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
