/**
 * Host maintenance as EIO records it, host by host: where each host of a job stands and everything EIO did to
 * it (VMs moved, VMs stopped, maintenance mode entered), so that exit, restore, compensation after a cancel or
 * the kill switch, and the job's result all work from the same ledger, also after a crash.
 */
import { z } from 'zod';
import type { BlockedVm, VmPowerState } from './evacuation-plan';
import { EvacuationOptions } from './evacuation-plan';

export type MaintenancePhase =
  | 'waiting'
  | 'evacuating'
  | 'blocked'
  | 'entering_maintenance'
  | 'in_maintenance'
  | 'exiting_maintenance'
  | 'restoring'
  | 'done'
  | 'skipped'
  | 'failed';

export type MovedVm = { vm_id: string; name: string; from: string; to: string; returned?: boolean };
export type StoppedVm = { vm_id: string; name: string; how: 'shutdown' | 'power_off' | 'suspend'; was: VmPowerState; restored?: boolean };

export type MaintenanceHost = {
  /** `<job id>|<host target id>`. */
  id: string;
  job_id: string;
  target_id: string;
  instance_id: string;
  moref: string;
  name: string;
  /** The cluster's target id, when the host is in one. */
  cluster_id?: string;
  phase: MaintenancePhase;
  /** When its evacuation first began: every step of the host is from then on (its task lookups read only those). */
  work_began_at?: string;
  /** EIO started EnterMaintenanceMode on it and has not brought it out again. */
  entered_maintenance: boolean;
  /** When EIO's EnterMaintenanceMode succeeded (kept after the host left maintenance again). */
  maintenance_entered_at?: string;
  /** It was in maintenance mode before the job: EIO leaves it as it found it. */
  was_in_maintenance: boolean;
  moved: MovedVm[];
  stopped: StoppedVm[];
  /** The VMs that block its evacuation now, when it is blocked. */
  blocked: BlockedVm[];
  /** What was left as it was, and why, in the operator's words. */
  notes: string[];
  error?: string;
  updated_at: string;
  version: number;
};

export const maintenanceHostId = (jobId: string, targetId: string) => `${jobId}|${targetId}`;

/** The parameters of a host_maintenance job, with their defaults. */
export const HostMaintenanceParams = EvacuationOptions.extend({
  /** What to do when VMs cannot be evacuated: wait for an operator, or fail the host. */
  on_blocked: z.enum(['pause', 'fail']).default('pause'),
  /** A pause longer than this leaves maintenance cleanly, restores what EIO stopped and fails the job. */
  pause_timeout_minutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(240),
  /** vMotions at once per host being evacuated. */
  migrations_per_host: z.number().int().min(1).max(16).default(4),
  /** A guest shutdown (shutdown_vms) that takes longer than this is finished with a power-off. */
  shutdown_timeout_seconds: z.number().int().min(10).max(3600).default(300),
  /** How long vCenter may take to put a host into maintenance once its VMs are gone (DRS: to move them). */
  maintenance_timeout_minutes: z.number().int().min(1).max(240).default(30),
  /** Power on again (or resume) the VMs EIO stopped, once the host left maintenance. */
  restore_vms: z.boolean().default(true),
  /** Move the VMs EIO evacuated back to their host, once it left maintenance. */
  return_vms: z.boolean().default(false),
});
export type HostMaintenanceParams = z.output<typeof HostMaintenanceParams>;

/** The host maintenance part of a job's params (a firmware_update job's carry more): what the shared steps read. */
export const maintenanceParamsOf = (params: Record<string, unknown>): HostMaintenanceParams =>
  HostMaintenanceParams.parse(Object.fromEntries(Object.entries(params).filter(([k]) => Object.hasOwn(HostMaintenanceParams.shape, k))));

/** Resume actions a paused host_maintenance job accepts, and those that need a policy allowing them. */
export const MAINTENANCE_RESUME_ACTIONS = ['shutdown_vms', 'suspend_vms', 'retry', 'skip_host', 'abort'] as const;
export const POLICY_GATED_RESUME_ACTIONS: readonly string[] = ['shutdown_vms'];

/** What a host's result says about it, from its ledger. */
export function hostResult(h: MaintenanceHost) {
  return {
    host_id: h.target_id,
    name: h.name,
    phase: h.phase,
    entered_maintenance: h.maintenance_entered_at !== undefined,
    left_in_maintenance: h.entered_maintenance,
    vms_moved: h.moved.map((m) => ({
      vm_id: m.vm_id,
      name: m.name,
      // A host as jobs name it; `drs`: DRS chose where, while the host entered maintenance mode.
      to: m.to === 'drs' ? 'drs' : `${h.instance_id}/${m.to}`,
      returned: m.returned === true,
    })),
    vms_stopped: h.stopped.map((s) => ({ vm_id: s.vm_id, name: s.name, how: s.how, restored: s.restored === true })),
    notes: h.notes,
    ...(h.error ? { error: h.error } : {}),
  };
}
