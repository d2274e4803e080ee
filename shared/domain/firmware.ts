/**
 * Firmware updates and power actions through the iDRAC as EIO records them: the parameters of the
 * `firmware_update` and `power_action` jobs, the ledger of every iDRAC job (JID) EIO creates, each target's
 * progress, and the rollout guard that pauses a rolling update when the fleet's health or the job's own
 * failures cross what the job allows.
 */
import { z } from 'zod';
import { type HealthLevel, levelFor } from './health';
import type { IdracFirmwareItem } from './idrac';
import { HostMaintenanceParams } from './maintenance';

/** Schemes an iDRAC fetches an image from itself (SimpleUpdate's ImageURI). */
const IMAGE_SCHEMES = ['http:', 'https:', 'nfs:', 'cifs:'];

export const FirmwareImage = z.strictObject({
  /** Where the iDRAC fetches the Dell Update Package: an HTTP(S), NFS or CIFS repository. */
  uri: z
    .string()
    .min(1)
    .max(2048)
    .refine((u) => URL.canParse(u) && IMAGE_SCHEMES.includes(new URL(u).protocol), {
      message: `an absolute URI whose scheme is one of ${IMAGE_SCHEMES.map((s) => s.slice(0, -1)).join(', ')}`,
    }),
  /** What it updates, as the inventory names it (`BIOS`, `iDRAC`, an FQDD): shown in the ledger and verified afterwards. */
  component: z.string().min(1).max(200).optional(),
  /** The version the image installs: checked against the inventory afterwards (needs `component`). */
  version: z.string().min(1).max(100).optional(),
});
export type FirmwareImage = z.output<typeof FirmwareImage>;

/** The parameters of a firmware_update job: host maintenance's, plus what to apply and how far the rollout may go wrong. */
export const FirmwareUpdateParams = HostMaintenanceParams.extend({
  images: z.array(FirmwareImage).max(50).default([]),
  /** A firmware baseline: each server also gets the images for the components older than the baseline's. */
  baseline_id: z.string().min(1).optional(),
  /**
   * `on_reset`: staged, applied when EIO reboots the server; `immediate`: the iDRAC applies each at once (and
   * reboots the server itself when one must).
   */
  apply_mode: z.enum(['on_reset', 'immediate']).default('on_reset'),
  /**
   * How EIO reboots a server to apply what it staged: `graceful` asks the OS to shut down and waits;
   * `graceful_then_forced` forces it off when the OS does not comply in time; `power_cycle` cuts power at once.
   */
  reboot: z.enum(['graceful', 'graceful_then_forced', 'power_cycle']).default('graceful'),
  /** Hosts (or iDRAC-only servers) that may fail before the rollout pauses itself: the error budget. */
  max_failed_hosts: z.number().int().min(0).max(1000).default(0),
  /** The runbook level (iDRAC unreachable %, failed jobs in 24 h, job queue depth) at which the rollout pauses itself. */
  pause_on_health: z.enum(['warning', 'critical', 'never']).default('critical'),
  /** How long staged updates, the reboot and the host's return to vCenter may take, per server. */
  update_timeout_minutes: z.number().int().min(5).max(720).default(90),
}).refine((p) => p.images.length > 0 || p.baseline_id !== undefined, {
  message: 'name the images to apply, a baseline_id, or both',
  path: ['images'],
});
export type FirmwareUpdateParams = z.output<typeof FirmwareUpdateParams>;

/** The power actions an operator asks for, in the operator's words, and the Redfish ResetType each is. */
export const POWER_ACTIONS = {
  on: 'On',
  graceful_shutdown: 'GracefulShutdown',
  force_off: 'ForceOff',
  graceful_restart: 'GracefulRestart',
  force_restart: 'ForceRestart',
  power_cycle: 'PowerCycle',
} as const;
export type PowerAction = keyof typeof POWER_ACTIONS;

export const PowerActionParams = z.strictObject({
  action: z.enum(Object.keys(POWER_ACTIONS) as [PowerAction, ...PowerAction[]]),
  /**
   * A host target that vCenter shows out of maintenance mode with powered-on VMs is refused unless this is
   * set: taking a running ESXi host down is what host_maintenance is for.
   */
  allow_running_vms: z.boolean().default(false),
});
export type PowerActionParams = z.output<typeof PowerActionParams>;

/**
 * An iDRAC job's life as the ledger tracks it. `requested`: EIO is about to ask the iDRAC (written before the
 * call, so a crash in between is found); `scheduled`: staged, waiting for a reboot; `running`; then
 * `completed`, `failed`, `deleted` (EIO removed its own JID before it ran) or `left_staged` (never applied,
 * and EIO could not or was not allowed to remove it: the kill switch, an unreachable iDRAC).
 */
export const IDRAC_JOB_STATES = ['requested', 'scheduled', 'running', 'completed', 'failed', 'deleted', 'left_staged'] as const;
export type IdracJobEntryState = (typeof IDRAC_JOB_STATES)[number];
export const OPEN_IDRAC_JOB_STATES: readonly IdracJobEntryState[] = ['requested', 'scheduled', 'running'];

export type IdracJobEntry = {
  /** `<endpoint id>|<EIO job id>|<image index>`: one entry per image a job applies on one iDRAC. */
  id: string;
  endpoint_id: string;
  /** The EIO job that created it. */
  job_id: string;
  /** The host (or the endpoint itself) the job's target was. */
  target_id: string;
  /** Dell's job id (`JID_…`), once the iDRAC answered. */
  jid?: string;
  component?: string;
  image_uri: string;
  state: IdracJobEntryState;
  /** What the iDRAC said last (Dell JobState and message). */
  idrac_state?: string;
  message?: string;
  /** The installed version of the component before and after, when the inventory names it. */
  version_before?: string;
  version_after?: string;
  created_at: string;
  updated_at: string;
  version: number;
};

export const idracJobEntryId = (endpointId: string, jobId: string, index: number) =>
  `${endpointId}|${jobId}|${String(index).padStart(3, '0')}`;

export type FirmwarePhase =
  | 'waiting'
  | 'maintenance'
  | 'staging'
  | 'staged'
  | 'rebooting'
  | 'applying'
  | 'verifying'
  | 'updated'
  | 'done'
  | 'skipped'
  | 'failed';

/** One server a firmware_update job works on: a vCenter host (inside host maintenance) or an iDRAC alone. */
export type FirmwareTarget = {
  /** `<job id>|<target id>`. */
  id: string;
  job_id: string;
  /** The host's target id (`vc-001/host-21`), or the endpoint id for an iDRAC-only target. */
  target_id: string;
  kind: 'host' | 'idrac';
  endpoint_id: string;
  /** The cluster's target id, when the host is in one. */
  cluster_id?: string;
  /** The images this server gets: the job's, or those its baseline says differ. */
  images: FirmwareImage[];
  phase: FirmwarePhase;
  /** When EIO asked the iDRAC to reboot the server to apply what it staged. */
  reboot_requested_at?: string;
  notes: string[];
  error?: string;
  updated_at: string;
  version: number;
};

export const firmwareTargetId = (jobId: string, targetId: string) => `${jobId}|${targetId}`;

/** The health figures the rollout guard watches, as GET /health computes them. */
export type RolloutFigures = { idrac_unreachable_pct: number; failed_jobs_24h: number; job_queue_depth: number };
export type RolloutThresholds = Record<keyof RolloutFigures, { warning: number; critical: number }>;

/** What the guard accepted last: at the job's start, and again at every operator's `continue`. */
export type RolloutBaseline = {
  levels: Record<keyof RolloutFigures, HealthLevel>;
  failed_hosts: number;
  source: 'start' | 'continue';
  at: string;
};

const FIGURE_NAMES: Record<keyof RolloutFigures, string> = {
  idrac_unreachable_pct: 'iDRAC unreachable %',
  failed_jobs_24h: 'failed jobs (24 h)',
  job_queue_depth: 'job queue depth',
};
const RANK: Record<HealthLevel, number> = { ok: 0, degraded: 1, critical: 2 };

/**
 * Why the rollout should pause before its next server, or nothing: a runbook threshold the job watches crossed
 * since the baseline (at the job's level: `pause_on_health`), or more servers failed than `max_failed_hosts`
 * (and more than when an operator last said go on). A level already crossed at the baseline does not pause
 * again; a worse one does.
 */
export function rolloutPauseReasons(
  figures: RolloutFigures,
  thresholds: RolloutThresholds,
  baseline: RolloutBaseline,
  failedHosts: string[],
  params: Pick<FirmwareUpdateParams, 'pause_on_health' | 'max_failed_hosts'>,
): string[] {
  const reasons: string[] = [];
  if (params.pause_on_health !== 'never') {
    const floor = params.pause_on_health === 'warning' ? RANK.degraded : RANK.critical;
    for (const key of Object.keys(FIGURE_NAMES) as (keyof RolloutFigures)[]) {
      const level = levelFor(figures[key], thresholds[key]);
      if (RANK[level] >= floor && RANK[level] > RANK[baseline.levels[key]]) {
        const t = thresholds[key];
        reasons.push(
          `${FIGURE_NAMES[key]} is ${figures[key]} (${level}: warning > ${t.warning}, critical > ${t.critical}; ` +
            `${baseline.levels[key]} when the rollout ${baseline.source === 'start' ? 'began' : 'last went on'}, ${baseline.at})`,
        );
      }
    }
  }
  if (failedHosts.length > params.max_failed_hosts && failedHosts.length > baseline.failed_hosts)
    reasons.push(
      `${failedHosts.length} server(s) failed (${failedHosts.join(', ')}); the job allows ${params.max_failed_hosts} (max_failed_hosts)`,
    );
  return reasons;
}

/** A firmware_update job's rollout (`id`: the job id): what its guard accepted last. */
export type FirmwareRollout = { id: string; baseline: RolloutBaseline; version: number };

/** The levels of the figures now: what an operator's `continue` (or the job's start) accepts. */
export function rolloutLevels(figures: RolloutFigures, thresholds: RolloutThresholds): RolloutBaseline['levels'] {
  return {
    idrac_unreachable_pct: levelFor(figures.idrac_unreachable_pct, thresholds.idrac_unreachable_pct),
    failed_jobs_24h: levelFor(figures.failed_jobs_24h, thresholds.failed_jobs_24h),
    job_queue_depth: levelFor(figures.job_queue_depth, thresholds.job_queue_depth),
  };
}

/** Resume actions a paused firmware_update job accepts: host maintenance's, and `continue` past a rollout pause. */
export const ROLLOUT_RESUME_ACTIONS = ['continue', 'abort'] as const;

/**
 * The installed version of a component as the inventory lists it, matched by FQDD, then by name or inventory
 * id containing it (`BIOS` finds `BIOS.Setup.1-1`); undefined when nothing or several different versions match.
 */
export function installedVersion(firmware: IdracFirmwareItem[], component: string | undefined): string | undefined {
  if (!component) return undefined;
  const c = component.toLowerCase();
  const exact = firmware.filter((f) => f.fqdd?.toLowerCase() === c);
  const loose = exact.length ? exact : firmware.filter((f) => [f.fqdd, f.name, f.id].some((v) => v?.toLowerCase().includes(c)));
  const versions = [...new Set(loose.map((f) => f.version))];
  return versions.length === 1 ? versions[0] : undefined;
}

/** A ledger entry as the API shows it (the job's result, an endpoint's idrac-jobs). */
export const idracJobView = (e: IdracJobEntry) => {
  const { version: _v, ...view } = e;
  return view;
};
