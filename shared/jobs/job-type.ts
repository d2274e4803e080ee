import type { z } from 'zod';

/** Kinds of record a job may target, by id prefix. Later issues add `idrac` endpoints and `vcenter` instances. */
export type TargetKind = 'site' | 'idrac' | 'vcenter';

/**
 * What a job type declares to plug into the engine. The engine owns the lifecycle (queue, dispatch,
 * approval, pause/resume, cancel, kill switch, crash recovery); the type owns its parameters, targets,
 * state machine and the work its own steps do.
 */
export type JobType = {
  name: string;
  description: string;
  params: z.ZodType<Record<string, unknown>>;
  targetKinds: TargetKind[];
  /** Key of shared/catalog/workflows.ts. */
  workflow: string;
  /** Actions an operator may send to `resume` when this type pauses ("shutdown_vms", "suspend_vms", …). */
  resumeActions: string[];
  /** A job running longer than this is reported as stuck. */
  maxRuntimeMinutes: number;
  /** Its steps are idempotent: after a crash the job resumes (redoing unfinished steps) instead of failing. */
  resumableAfterCrash: boolean;
  /** A retry re-runs only the targets whose step did not succeed. */
  retryFailedTargetsOnly: boolean;
};
