/**
 * The job step function: every Task state of every job state machine calls it with an `action`. The engine's
 * own actions keep the lifecycle (engine-actions.ts); the others are the job types' (shared/catalog/job-types.ts),
 * each run only for a job of its own type. One discriminated union parses every payload. Side-effecting
 * actions check the kill switch and the job's own status first, because stopping an execution does not
 * interrupt a Lambda that is already running.
 */
import { z } from 'zod';
import { JOB_TYPES } from '../../catalog/job-types';
import { WORKFLOW_ERRORS, type WorkflowErrorName } from '../../catalog/workflow-errors';
import { ValidationError } from '../../domain/errors';
import type { JobType, StepAction } from '../../jobs/job-type';
import { addToContext } from '../../observability/context';
import { type EngineDeps, jobTypeOf } from './common';
import { ENGINE_ACTIONS } from './engine-actions';
import { activeJob, stepContext } from './step-context';

/** Workflow errors a Task state calling `action` must catch: a type action's job may have ended meanwhile. */
export const errorsRaisedBy = (action: string): readonly WorkflowErrorName[] =>
  Object.hasOwn(ENGINE_ACTIONS, action) ? ENGINE_ACTIONS[action]!.raises : [WORKFLOW_ERRORS.jobNotActive];

type StepInput = { action: string; job_id: string } & Record<string, unknown>;

const payloadOf = (action: string, payload: z.ZodObject) => payload.extend({ action: z.literal(action), job_id: z.string().min(1) });

let built: { types: JobType[]; schema: z.ZodType<StepInput> } | undefined;

/** One discriminated union (on `action`) over every step payload: the engine's actions and each catalog type's. */
export function stepPayloadSchema(): z.ZodType<StepInput> {
  const types = Object.values(JOB_TYPES);
  if (built && built.types.length === types.length && built.types.every((t, i) => t === types[i])) return built.schema;
  const owners = new Map<string, { owner: string; action?: StepAction }>();
  for (const name of Object.keys(ENGINE_ACTIONS)) owners.set(name, { owner: 'the engine' });
  const options = Object.entries(ENGINE_ACTIONS).map(([name, a]) => payloadOf(name, a.payload));
  for (const type of types) {
    for (const [name, action] of Object.entries(type.actions)) {
      // Types sharing a state machine may share its actions; one name never means two different actions.
      const known = owners.get(name);
      if (known?.action === action) continue;
      if (known) throw new Error(`Step action '${name}' of job type ${type.name} is also ${known.owner}'s; action names must be unique`);
      owners.set(name, { owner: `job type ${type.name}`, action });
      options.push(payloadOf(name, action.payload));
    }
  }
  const [first, ...rest] = options; // the engine's own actions: never empty
  const schema = z.discriminatedUnion('action', [first!, ...rest]) as unknown as z.ZodType<StepInput>;
  built = { types, schema };
  return schema;
}

/** Parses a step payload; a bad one fails naming each field (`action` for an action nobody declares). */
export function parseStepPayload(payload: unknown): StepInput {
  const parsed = stepPayloadSchema().safeParse(payload);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(payload)', message: i.message }));
  const action = (payload as { action?: unknown } | null)?.action;
  const which = typeof action === 'string' ? ` for action '${action}'` : '';
  throw new ValidationError(`Invalid job step payload${which}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}

export async function runJobStep(deps: EngineDeps, payload: unknown): Promise<unknown> {
  const input = parseStepPayload(payload);
  addToContext({ job_id: input.job_id });
  if (Object.hasOwn(ENGINE_ACTIONS, input.action)) return ENGINE_ACTIONS[input.action]!.run(deps, input);
  const job = await activeJob(deps, input.job_id);
  const type = jobTypeOf(job.type);
  const action = Object.hasOwn(type.actions, input.action) ? type.actions[input.action] : undefined;
  if (!action) {
    const own = Object.keys(type.actions).join(', ') || 'none';
    throw new ValidationError(`Step action '${input.action}' is not one of job type ${type.name}'s: ${own}`, [
      { path: 'action', message: `job type ${type.name} has ${own}` },
    ]);
  }
  return action.run(stepContext(deps, job), input);
}
