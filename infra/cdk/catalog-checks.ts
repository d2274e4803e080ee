/**
 * Cross-table rules the type system cannot express. Checked before any construct is created so a bad
 * catalog row fails synth with every problem named at once, instead of a CloudFormation error at deploy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AslDefinition, forEachState } from '../../shared/adapters/workflows/asl';
import type { FunctionKind } from '../../shared/catalog/functions';
import { WORKFLOW_ERROR_NAMES } from '../../shared/catalog/workflow-errors';
import { parseScheduleExpression } from '../../shared/domain/schedule-expression';
import { dlqKey, type EioCatalog, stateMachineName } from './catalog';

/** Where the checks read files from: the repository, and the ASL files the workflows name. */
export type CatalogPaths = { repoRoot: string; stateMachinesDir: string };

/** `${Name}` placeholders in an ASL file (definitionSubstitutions syntax). */
export const placeholdersIn = (asl: string): string[] =>
  [...new Set([...asl.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string))].sort();

// SQS batches above 10 need a batching window, which the catalog does not carry.
const MAX_BATCH_WITHOUT_WINDOW = 10;
// Step Functions names: 1-80 characters, letters, digits, '-' and '_'.
const STATE_MACHINE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function catalogProblems(catalog: EioCatalog, paths: CatalogPaths): string[] {
  const problems: string[] = [];
  const fn = (where: string, name: string, kind: FunctionKind) => {
    const spec = catalog.functions[name];
    if (!spec) problems.push(`${where}: unknown function '${name}'`);
    else if (spec.kind !== kind) problems.push(`${where}: function '${name}' is kind '${spec.kind}', expected '${kind}'`);
    return spec;
  };

  for (const [name, spec] of Object.entries(catalog.functions)) {
    if (!existsSync(join(paths.repoRoot, `${spec.entry}.ts`))) {
      problems.push(`function ${name}: entry ${spec.entry}.ts does not exist`);
    }
  }

  const routeKeys = new Set<string>();
  for (const r of catalog.routes) {
    const key = `${r.method} ${r.path}`;
    if (routeKeys.has(key)) problems.push(`route ${key}: listed twice`);
    routeKeys.add(key);
    fn(`route ${key}`, r.function, 'api');
  }

  for (const [pool, spec] of Object.entries(catalog.workerPools)) {
    const where = `worker pool ${pool}`;
    const worker = fn(where, spec.function, 'worker');
    if (catalog.workerPools[dlqKey(pool)] !== undefined || pool.endsWith('-dlq')) {
      problems.push(`${where}: name clashes with a dead-letter key in QUEUE_URLS`);
    }
    // Lambda refuses an SQS mapping whose visibility timeout is shorter than the function timeout.
    if (worker && spec.visibilityTimeoutSeconds < worker.timeoutSeconds) {
      problems.push(
        `${where}: visibilityTimeoutSeconds ${spec.visibilityTimeoutSeconds} < ${spec.function} timeout ${worker.timeoutSeconds}`,
      );
    }
    if (!(spec.batchSize >= 1 && spec.batchSize <= MAX_BATCH_WITHOUT_WINDOW)) {
      problems.push(`${where}: batchSize must be 1..${MAX_BATCH_WITHOUT_WINDOW}`);
    }
    if (!(spec.maxReceiveCount >= 1)) problems.push(`${where}: maxReceiveCount must be >= 1`);
    if (!(spec.concurrency >= 1)) problems.push(`${where}: concurrency must be >= 1`);
  }

  for (const [name, spec] of Object.entries(catalog.schedules)) {
    if (!catalog.workerPools[spec.pool]) problems.push(`schedule ${name}: unknown pool '${spec.pool}'`);
    // The local stack's parser: a row deploys only if it also fires locally (one schedule table, two runtimes).
    try {
      parseScheduleExpression(spec.expression);
    } catch (err) {
      problems.push(`schedule ${name}: ${(err as Error).message}`);
    }
  }

  for (const [name, spec] of Object.entries(catalog.workflows)) {
    const where = `workflow ${name}`;
    if (!STATE_MACHINE_NAME.test(stateMachineName(name))) problems.push(`${where}: invalid state machine name`);
    for (const [placeholder, task] of Object.entries(spec.tasks)) fn(`${where} task ${placeholder}`, task, 'step');
    const file = join(paths.stateMachinesDir, spec.file);
    if (!existsSync(file)) {
      problems.push(`${where}: ${spec.file} does not exist`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    const inFile = placeholdersIn(text);
    for (const p of inFile) if (!(p in spec.tasks)) problems.push(`${where}: \${${p}} in ${spec.file} has no task`);
    for (const p of Object.keys(spec.tasks)) if (!inFile.includes(p)) problems.push(`${where}: task ${p} is not used in ${spec.file}`);
    try {
      for (const p of aslProblems(JSON.parse(text) as AslDefinition)) problems.push(`${where}: ${spec.file}: ${p}`);
    } catch (err) {
      problems.push(`${where}: ${spec.file} is not valid JSON (${(err as Error).message})`);
    }
  }

  return problems;
}

/**
 * Transient errors of the Lambda service (AWS's list for Step Functions, plus throttling), which every Task
 * state retries: without it a throttled "Record failure" leaves its job running until reconciliation.
 */
export const TRANSIENT_LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
] as const;

/** The Step Functions errors an ASL file may name besides Lambda.* and EIO's own (WORKFLOW_ERRORS). */
const STATES_ERRORS = new Set(
  ['ALL', 'BranchFailed', 'DataLimitExceeded', 'ExceedToleratedFailureThreshold', 'HeartbeatTimeout', 'Http.Socket']
    .concat(['IntrinsicFailure', 'ItemReaderFailed', 'NoChoiceMatched', 'ParameterPathFailure', 'Permissions'])
    .concat(['QueryEvaluationError', 'ResultPathMatchFailure', 'ResultWriterFailed', 'Runtime', 'TaskFailed', 'Timeout'])
    .map((e) => `States.${e}`),
);

const knownError = (name: string) => STATES_ERRORS.has(name) || name.startsWith('Lambda.') || WORKFLOW_ERROR_NAMES.includes(name);

type Rule = { ErrorEquals?: unknown; MaxAttempts?: unknown };
const rules = (value: unknown): Rule[] => (Array.isArray(value) ? (value as Rule[]) : []);
const errorNames = (rule: Rule): string[] => (Array.isArray(rule.ErrorEquals) ? rule.ErrorEquals.map(String) : []);

/**
 * Rules every state machine keeps, each problem naming its state: every Task state retries the transient
 * Lambda errors, and every error name in a Retry, a Catch or a Fail state is a built-in or one of
 * WORKFLOW_ERRORS (so the ASL and the TypeScript raising or catching it spell it the same).
 */
export function aslProblems(definition: AslDefinition): string[] {
  const problems: string[] = [];
  forEachState(definition, (name, state) => {
    if (state.Type === 'Task') {
      const retried = new Set(
        rules(state.Retry)
          .filter((r) => r.MaxAttempts !== 0)
          .flatMap(errorNames),
      );
      const missing = retried.has('States.ALL') ? [] : TRANSIENT_LAMBDA_ERRORS.filter((e) => !retried.has(e));
      if (missing.length) problems.push(`state '${name}' does not retry ${missing.join(', ')}`);
    }
    const named = [...rules(state.Retry), ...rules(state.Catch)].flatMap(errorNames);
    if (state.Type === 'Fail' && typeof state.Error === 'string') named.push(state.Error);
    for (const e of named.filter((n) => !knownError(n)))
      problems.push(`state '${name}' names error '${e}', neither a Step Functions built-in nor one of WORKFLOW_ERRORS`);
  });
  return problems;
}

export function assertCatalog(catalog: EioCatalog, paths: CatalogPaths): void {
  const problems = catalogProblems(catalog, paths);
  if (problems.length > 0) throw new Error(`EIO catalog problems:\n- ${problems.join('\n- ')}`);
}
