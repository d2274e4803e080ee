/**
 * What a job type declares to plug into the engine. The engine owns the lifecycle (queue, dispatch, approval,
 * pause/resume, cancel, kill switch, crash recovery) and its own step actions (start, await_approval,
 * await_operator, finish, fail, cancel); a type owns its parameters, how its targets resolve, its state machine
 * and the step actions that do its work. A type is one file under shared/jobs/, its ASL under statemachines/,
 * a row in shared/catalog/job-types.ts and one in shared/catalog/workflows.ts.
 */
import type { z } from 'zod';
import type { ErrorDetail } from '../domain/errors';
import type { Job, JobStep, StepStatus } from '../domain/job';
import type { EngineDeps } from '../usecases/jobs/common';

/** What an operator sends to resume a paused job: the action and its fields. */
export type ResumeRequest = { action: string } & Record<string, unknown>;
/** Which open waits a resume ends, each with what its state machine receives; or end the whole job. */
export type ResumeRoute =
  | { kind: 'settle'; waits: { key: string; output: Record<string, unknown> }[] }
  | { kind: 'cancel'; reason: string };
/**
 * What undoing a job's leftovers came to: done; `working` when the step ran out of time (call again now);
 * `blocked` while something prevents it (the kill switch: housekeeping calls again later).
 */
export type CompensationOutcome = { state: 'done' | 'working' | 'blocked'; detail?: string; result?: Record<string, unknown> };

/** Kinds of record a job may target, by id prefix. */
export type TargetKind = 'site' | 'idrac' | 'vcenter' | 'host' | 'cluster';

/** The job's targets for the submitted ids, or what is wrong with each id (paths `body.target_ids[i]`). */
export type ResolvedTargets = { ok: true; targets: string[] } | { ok: false; problems: ErrorDetail[] };
export type ResolveTargets = (deps: Pick<EngineDeps, 'store'>, ids: string[]) => Promise<ResolvedTargets>;

/** What a type action's work on one target came to; the status is succeeded or failed after `ok` unless given. */
export type TargetWork = { ok: boolean; status?: StepStatus; error?: string; record?: Record<string, unknown> };
/** One item of a workflow's Map over targets, as "Finish job" tallies them. */
export type TargetOutcome = { target_id: string; ok: boolean };

/** What the engine hands a type action: the job (active when the step began) and the engine's step helpers. */
export type StepContext = {
  deps: EngineDeps;
  job: Job;
  /**
   * Runs `work` as one JobStep on `targetId`, named after its state ("Probe target"), and returns the item
   * "Finish job" tallies. A target whose step already succeeded (a resumed execution) is not worked again.
   */
  targetStep(name: string, targetId: string, work: (step: JobStep) => Promise<TargetWork>): Promise<TargetOutcome>;
  /** Refuses while the kill switch is on: call it right before anything with side effects. */
  assertKillSwitchOff(): Promise<void>;
  /** Runs `work` as one JobStep of the whole job (no target), recording what it returns as `record`. */
  jobStep<T>(name: string, work: () => Promise<{ result: T; record?: Record<string, unknown> }>): Promise<T>;
};

/** A step action: the fields its Task state passes besides `action` and `job_id`, and the work. */
export type StepAction = {
  payload: z.ZodObject;
  run(ctx: StepContext, input: Record<string, unknown>): Promise<unknown>;
};

/** A step action whose `run` sees its payload typed; the engine parses the payload before calling it. */
export function stepAction<S extends z.ZodObject>(payload: S, run: (ctx: StepContext, input: z.output<S>) => Promise<unknown>): StepAction {
  // The engine's union of every payload schema has parsed `input` with this very schema.
  return { payload, run: (ctx, input) => run(ctx, input as z.output<S>) };
}

export type JobType = {
  name: string;
  description: string;
  params: z.ZodType<Record<string, unknown>>;
  resolveTargets: ResolveTargets;
  /** Key of shared/catalog/workflows.ts: the type's state machine. */
  workflow: string;
  /** The type's own step actions by name, as its state machine calls them; names are unique across the catalog. */
  actions: Record<string, StepAction>;
  /** Actions an operator may send to `resume` when this type pauses ("shutdown_vms", "suspend_vms", …). */
  resumeActions: string[];
  /** Which waits a resume ends and with what (default: every open wait, with the request as sent). */
  routeResume?(deps: EngineDeps, job: Job, request: ResumeRequest, actor: string): Promise<ResumeRoute>;
  /**
   * Undoes what the job left behind when it ended without succeeding (cancel, kill switch, failure). The job
   * keeps its host locks until this answers done; it is called again (housekeeping) until then.
   */
  compensate?(deps: EngineDeps, job: Job): Promise<CompensationOutcome>;
  /** The preflight plan `POST /api/v1/jobs/plan` answers: what the job would do, nothing started. */
  plan?(deps: EngineDeps, targetIds: string[], params: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** What "Finish job" adds to the job's result (per-target detail). */
  result?(deps: EngineDeps, job: Job): Promise<Record<string, unknown>>;
  /** A job running longer than this is reported as stuck. */
  maxRuntimeMinutes: number;
  /** Its steps are idempotent: after a crash the job resumes (redoing unfinished steps) instead of failing. */
  resumableAfterCrash: boolean;
  /** A retry re-runs only the targets whose step did not succeed. */
  retryFailedTargetsOnly: boolean;
};
