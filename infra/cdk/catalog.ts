/**
 * The catalog tables as the CDK app consumes them. Function names are plain strings here (the real tables
 * narrow them to FunctionName) so tests can pass small catalogs of their own; the real ones are the default.
 */
import type { FunctionSpec } from '../../shared/catalog/functions';
import { FUNCTIONS } from '../../shared/catalog/functions';
import type { Route } from '../../shared/catalog/routes';
import { ROUTES } from '../../shared/catalog/routes';
import type { ScheduleSpec } from '../../shared/catalog/schedules';
import { SCHEDULES } from '../../shared/catalog/schedules';
import type { WorkerPoolSpec } from '../../shared/catalog/worker-pools';
import { WORKER_POOLS } from '../../shared/catalog/worker-pools';
import type { WorkflowSpec } from '../../shared/catalog/workflows';
import { WORKFLOWS } from '../../shared/catalog/workflows';

export type CatalogRoute = Omit<Route, 'function'> & { function: string };
export type CatalogWorkerPool = Omit<WorkerPoolSpec, 'function'> & { function: string };
export type CatalogWorkflow = Omit<WorkflowSpec, 'tasks'> & { tasks: Record<string, string> };

export type EioCatalog = {
  functions: Readonly<Record<string, FunctionSpec>>;
  routes: readonly CatalogRoute[];
  workerPools: Readonly<Record<string, CatalogWorkerPool>>;
  schedules: Readonly<Record<string, ScheduleSpec>>;
  workflows: Readonly<Record<string, CatalogWorkflow>>;
};

export const REAL_CATALOG: EioCatalog = {
  functions: FUNCTIONS,
  routes: ROUTES,
  workerPools: WORKER_POOLS,
  schedules: SCHEDULES,
  workflows: WORKFLOWS,
};

/** QUEUE_URLS key of a pool's dead-letter queue (shared/config.ts documents the map). */
export const dlqKey = (pool: string): string => `${pool}-dlq`;

/** State machine names are fixed so ARNs can be built from names (no CloudFormation cycles). */
export const stateMachineName = (workflow: string): string => `eio-${workflow}`;
