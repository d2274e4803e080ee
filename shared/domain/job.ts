/**
 * The job lifecycle: queued → awaiting_approval ⇄ running ⇄ paused → succeeded | failed | cancelled.
 * Every transition goes through `transition()`, and every write of it is conditional on the record version,
 * so a cancel racing a resume can never both win.
 */
import { z } from 'zod';
import { ConflictError } from './errors';
import { idSchema } from './ids';

/** Every status a job can be in. */
export const JOB_STATUSES = ['queued', 'awaiting_approval', 'running', 'paused', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const FINISHED: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];
export const isFinished = (s: JobStatus): boolean => FINISHED.includes(s);

const ALLOWED: Record<JobStatus, readonly JobStatus[]> = {
  queued: ['awaiting_approval', 'running', 'failed', 'cancelled'],
  awaiting_approval: ['running', 'failed', 'cancelled'],
  // Back to awaiting_approval: a maintenance plan that changed after its approval is approved again.
  running: ['paused', 'awaiting_approval', 'succeeded', 'failed', 'cancelled'],
  paused: ['running', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

export const canTransition = (from: JobStatus, to: JobStatus): boolean => ALLOWED[from].includes(to);

/** What a paused or awaiting job is waiting for, shown to the operator with the actions that would end the wait. */
export type WaitingFor = {
  kind: 'approval' | 'operator' | 'blocking_vms';
  step: string;
  message: string;
  valid_actions: string[];
  since: string;
  approval_id?: string;
  /** Details for the operator, e.g. the blocking VMs and why each blocks. */
  details?: Record<string, unknown>;
  /** When an operator wait ends by itself (the job gives up and fails), if it does. */
  timeout_at?: string;
};

/**
 * One wait for an operator inside a running job: a job whose state machine waits in several places at once
 * (one Map item per host) has one per place, keyed by what it is about (a host's target id, or `job`). The
 * job is `paused` while any is open; `waiting_for` sums them up for the operator.
 */
export type OperatorWait = WaitingFor & { key: string; task_token: string };

/** Work left to undo after the job ended (a maintenance job leaving a host in maintenance, VMs it stopped). */
export type Compensation = {
  status: 'pending' | 'done';
  /** Why it is still pending, e.g. "the kill switch is active: no vSphere task is started". */
  detail?: string;
  attempts: number;
  updated_at: string;
};

export type Job = {
  id: string;
  type: string;
  target_ids: string[];
  params: Record<string, unknown>;
  status: JobStatus;
  status_reason?: string;
  requested_by: string;
  /** Correlation id of the request that submitted the job: every step logs under it. */
  correlation_id?: string;
  requires_approval: boolean;
  approval_policy_id?: string;
  created_at: string;
  updated_at: string;
  started_at?: string;
  finished_at?: string;
  execution_id?: string;
  /** Executions started for this job, the first named after the job id; a resume after a crash adds one. */
  execution_attempt: number;
  waiting_for?: WaitingFor;
  /** Task token of the approval wait in progress: internal, never returned by the API. */
  task_token?: string;
  /** The operator waits in progress (their tokens are internal, never returned by the API). */
  operator_waits?: OperatorWait[];
  /** The plan hash an approver approved (host maintenance): work starts only on a plan with this hash. */
  approved_plan_hash?: string;
  /** Set when the job ended with work to undo; the job keeps its host locks until it is done. */
  compensation?: Compensation;
  cancelled_by?: string;
  cancelled_at?: string;
  idempotency_key?: string;
  retry_of?: string;
  result?: Record<string, unknown>;
  version: number;
};

/** `interrupted`: the process running the step died; a resumed attempt does the work again in a step of its own. */
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'interrupted';

export type JobStep = {
  step_id: string;
  job_id: string;
  /** The state name, in the runbook's words ("Probe target", "Wait for approval"). */
  name: string;
  target_id?: string;
  status: StepStatus;
  started_at: string;
  finished_at?: string;
  duration_ms?: number;
  external_task_id?: string;
  error?: string;
  result?: Record<string, unknown>;
};

/** Applies a status change, refusing it (409) when the lifecycle does not allow it from the current status. */
export function transition(job: Job, to: JobStatus, at: string, fields: Partial<Job> = {}): Job {
  if (job.status === to) return { ...job, ...fields, updated_at: at };
  if (!canTransition(job.status, to))
    throw new ConflictError(`job '${job.id}' is ${job.status}; it cannot become ${to}`, { status: job.status });
  const next: Job = { ...job, ...fields, status: to, updated_at: at };
  if (to === 'running' && !job.started_at) next.started_at = at;
  if (isFinished(to)) {
    next.finished_at = at;
    next.waiting_for = undefined;
    next.task_token = undefined;
    next.operator_waits = undefined;
  }
  if (to === 'running') {
    next.waiting_for = undefined;
    next.task_token = undefined;
    next.operator_waits = undefined;
  }
  return next;
}

/** What the open operator waits add up to, as the operator sees it; undefined when none is open. */
export function summarizeWaits(waits: OperatorWait[]): WaitingFor | undefined {
  if (!waits.length) return undefined;
  if (waits.length === 1) {
    const { key: _k, task_token: _t, ...only } = waits[0]!;
    return only;
  }
  const since = waits.map((w) => w.since).sort()[0]!;
  const timeouts = waits.flatMap((w) => (w.timeout_at ? [w.timeout_at] : [])).sort();
  const actions = [...new Set(waits.flatMap((w) => w.valid_actions))];
  return {
    kind: waits.every((w) => w.kind === waits[0]!.kind) ? waits[0]!.kind : 'operator',
    step: waits[0]!.step,
    message: `${waits.length} waits: ${waits.map((w) => w.message).join('; ')}`,
    valid_actions: actions,
    since,
    timeout_at: timeouts[0],
    details: { waits: waits.map(({ key, message, details, since: s }) => ({ key, message, since: s, ...details })) },
  };
}

/** The API view: everything but the task tokens. */
export const publicJob = (job: Job) => {
  const { task_token: _t, operator_waits: waits, ...rest } = job;
  return waits ? { ...rest, operator_waits: waits.map(({ task_token: _w, ...w }) => w) } : rest;
};

/** `GET /jobs` filters. */
export const JobQuery = z
  .object({
    status: z.enum(JOB_STATUSES).optional(),
    type: z.string().min(1).optional(),
    target: z.string().min(1).optional(),
    created_after: z.iso.datetime({ offset: true }).optional(),
    created_before: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((q) => !q.created_after || !q.created_before || q.created_after <= q.created_before, {
    message: 'created_after must not be later than created_before',
    path: ['created_after'],
  });
export type JobQuery = z.output<typeof JobQuery>;

export const JobSubmission = z.strictObject({
  id: idSchema('job').optional(),
  type: z.string().min(1).max(64),
  target_ids: z.array(z.string().min(1).max(128)).min(1).max(500),
  params: z.record(z.string(), z.unknown()).default({}),
});
export type JobSubmission = z.output<typeof JobSubmission>;

/** `Idempotency-Key`: the same key and body give the same job. */
export const IdempotencyKeyHeader = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII only');
export const IdempotencyHeaders = z.object({ 'idempotency-key': IdempotencyKeyHeader.optional() });
export const CancelBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).default({});
/** `action` names one of the job type's resume actions; the rest is that action's own input. */
export const ResumeBody = z.looseObject({ action: z.string().min(1).max(64) });
