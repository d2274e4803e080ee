/**
 * What each route of routes.ts accepts and answers: the zod schemas its handler parses the path, query,
 * headers and body with (the same objects, from the domain), its success status and, where the answer has a
 * fixed shape (a page, a CSV), that shape. The OpenAPI document is generated from this table and the route
 * table (shared/http/openapi.ts), and the fuzz test generates bad input from it; a route missing here fails
 * type-checking.
 */
import type { z } from 'zod';
import { ApprovalDecision, ApprovalQuery } from '../domain/approval';
import { RotationPath } from '../domain/credential-rotation';
import { DellEndpointCreate, DellEndpointListQuery, DellEndpointUpdate } from '../domain/dell-endpoint';
import { DiscoverRequest } from '../domain/discovery-run';
import { CatalogImportQuery, ComplianceQuery, FirmwareBaselineCreate, FirmwareBaselineUpdate } from '../domain/firmware-baseline';
import { ExceptionCreate, ExceptionFilter } from '../domain/ipam/exceptions';
import {
  AllocationCreate,
  FindingFilter,
  ObservationFilter,
  PrefixCreate,
  PrefixUpdate,
  Resolution,
  SiteFilter,
} from '../domain/ipam/schemas';
import { CancelBody, IdempotencyHeaders, JobQuery, JobSubmission, ResumeBody } from '../domain/job';
import { PolicyCreate, PolicyUpdate } from '../domain/policy';
import {
  AddressPath,
  AuditQuery,
  IdPath,
  NoQuery,
  OptionalReason,
  PageQuery,
  PoolPath,
  PoolScaling,
  ReadOnlyActivation,
  UpstreamQuery,
} from '../domain/requests';
import { ServiceIdentityCreate, ServiceIdentityRotate, ServiceIdentityUpdate } from '../domain/service-identity';
import { SiteCreate, SiteUpdate } from '../domain/site';
import { SwitchSchema } from '../domain/system-state';
import { UpstreamListSchema, UpstreamSchema } from '../domain/upstream';
import { InventoryQuery, SyncRequest, SyncRunQuery, VCenterInstanceCreate, VCenterInstanceUpdate } from '../domain/vcenter';
import type { RouteKey } from './routes';

type ObjectSchema = z.ZodObject;

/** The shape of an answer: a page of items, a CSV file, nothing (204), a JSON object, or a schema of its own. */
export type ResponseShape = 'page' | 'csv' | 'none' | 'object' | z.ZodType;

export type RouteSchemas = {
  path?: ObjectSchema;
  /** Several schemas when the handler parses the query in parts (paging, then filters). */
  query?: ObjectSchema | readonly ObjectSchema[];
  headers?: ObjectSchema;
  /** A JSON body, or `csv` / `xml` for a text/csv or application/xml body. A body the schema accepts when absent is optional. */
  body?: z.ZodType | 'csv' | 'xml';
  /** Success status; 200 when absent. */
  status?: 200 | 201 | 202 | 204;
  /** What a success answers; `object` when absent (`none` for 204). A schema describes at least the fields it names. */
  response?: ResponseShape;
};

const list = (...filters: ObjectSchema[]) => ({ query: [PageQuery, ...filters], response: 'page' as const });
const byId = { path: IdPath };

export const ROUTE_SCHEMAS = {
  'GET /api/v1/health': {},
  'GET /api/v1/health/workers': {},
  'GET /api/v1/openapi.json': {},

  'POST /api/v1/sites': { body: SiteCreate, status: 201 },
  'GET /api/v1/sites': list(),
  'GET /api/v1/sites/{id}': byId,
  'PATCH /api/v1/sites/{id}': { ...byId, body: SiteUpdate },
  'DELETE /api/v1/sites/{id}': { ...byId, status: 204 },

  'POST /api/v1/vcenter/instances': { body: VCenterInstanceCreate, status: 201 },
  'GET /api/v1/vcenter/instances': list(),
  'GET /api/v1/vcenter/instances/{id}': byId,
  'PATCH /api/v1/vcenter/instances/{id}': { ...byId, body: VCenterInstanceUpdate },
  'DELETE /api/v1/vcenter/instances/{id}': { ...byId, status: 204 },
  'GET /api/v1/vcenter/instances/{id}/hosts': { ...byId, query: InventoryQuery },
  'GET /api/v1/vcenter/instances/{id}/vms': { ...byId, query: InventoryQuery },
  'GET /api/v1/vcenter/instances/{id}/clusters': { ...byId, query: InventoryQuery },
  'POST /api/v1/vcenter/sync': { body: SyncRequest, status: 202 },
  'GET /api/v1/vcenter/sync-runs': { query: SyncRunQuery, response: 'page' },
  'GET /api/v1/vcenter/sync-runs/{id}': byId,

  'POST /api/v1/service-identities': { body: ServiceIdentityCreate, status: 201 },
  'GET /api/v1/service-identities': list(),
  'GET /api/v1/service-identities/{id}': byId,
  'PATCH /api/v1/service-identities/{id}': { ...byId, body: ServiceIdentityUpdate },
  'DELETE /api/v1/service-identities/{id}': { ...byId, status: 204 },
  // 202 with the rotation it starts (no body); 200 with the identity when a secret set by hand is recorded.
  'POST /api/v1/service-identities/{id}/rotate': { ...byId, body: ServiceIdentityRotate, status: 202 },
  'GET /api/v1/service-identities/{id}/rotations/{rotation_id}': { path: RotationPath },
  'GET /api/v1/service-identities/{id}/verify': byId,
  'GET /api/v1/service-identities/{id}/activity': { ...byId, ...list() },

  'POST /api/v1/jobs': { headers: IdempotencyHeaders, body: JobSubmission, status: 202 },
  'GET /api/v1/jobs': list(JobQuery),
  'POST /api/v1/jobs/plan': { body: JobSubmission },
  'GET /api/v1/jobs/{id}': byId,
  'GET /api/v1/jobs/{id}/blocking-vms': byId,
  'POST /api/v1/jobs/{id}/cancel': { ...byId, body: CancelBody },
  'POST /api/v1/jobs/{id}/resume': { ...byId, body: ResumeBody },
  'POST /api/v1/jobs/{id}/retry': { ...byId, status: 202 },

  'GET /api/v1/approvals': list(ApprovalQuery),
  'GET /api/v1/approvals/{id}': byId,
  'POST /api/v1/approvals/{id}/approve': { ...byId, body: ApprovalDecision },
  'POST /api/v1/approvals/{id}/reject': { ...byId, body: ApprovalDecision },
  'POST /api/v1/approvals/{id}/defer': { ...byId, body: ApprovalDecision },
  'POST /api/v1/policies': { body: PolicyCreate, status: 201 },
  'GET /api/v1/policies': list(),
  'GET /api/v1/policies/{id}': byId,
  'PATCH /api/v1/policies/{id}': { ...byId, body: PolicyUpdate },
  'DELETE /api/v1/policies/{id}': { ...byId, status: 204 },

  'GET /api/v1/system/kill-switch': { response: SwitchSchema },
  'POST /api/v1/system/kill-switch/activate': { body: OptionalReason, response: SwitchSchema },
  'POST /api/v1/system/kill-switch/deactivate': { body: OptionalReason, response: SwitchSchema },
  'GET /api/v1/system/read-only': { response: SwitchSchema },
  'POST /api/v1/system/read-only/activate': { body: ReadOnlyActivation, response: SwitchSchema },
  'POST /api/v1/system/read-only/deactivate': { body: OptionalReason, response: SwitchSchema },
  'GET /api/v1/system/scheduler': { response: SwitchSchema },
  'POST /api/v1/system/scheduler/pause': { body: OptionalReason, response: SwitchSchema },
  'POST /api/v1/system/scheduler/resume': { body: OptionalReason, response: SwitchSchema },
  'POST /api/v1/workers/{pool}/drain': { path: PoolPath },
  'PATCH /api/v1/workers/{pool}': { path: PoolPath, body: PoolScaling },
  'GET /api/v1/audit': { query: AuditQuery, response: 'page' },
  'GET /api/v1/upstreams': { query: UpstreamQuery, response: UpstreamListSchema },
  'POST /api/v1/upstreams/{id}/reset': { ...byId, response: UpstreamSchema },
  'POST /api/v1/workers/{pool}/undrain': { path: PoolPath },

  'POST /api/v1/dell/endpoints': { body: DellEndpointCreate, status: 201 },
  'GET /api/v1/dell/endpoints': { query: DellEndpointListQuery, response: 'page' },
  'GET /api/v1/dell/endpoints/{id}': byId,
  'PATCH /api/v1/dell/endpoints/{id}': { ...byId, body: DellEndpointUpdate },
  'DELETE /api/v1/dell/endpoints/{id}': { ...byId, status: 204 },
  'POST /api/v1/dell/endpoints/{id}/refresh': byId,
  'GET /api/v1/dell/endpoints/{id}/idrac-jobs': { ...byId, ...list() },
  'POST /api/v1/dell/discover': { body: DiscoverRequest, status: 202 },
  'GET /api/v1/dell/discovery-runs': list(),
  'GET /api/v1/dell/discovery-runs/{id}': byId,

  'GET /api/v1/ipam/observations': list(ObservationFilter),
  'GET /api/v1/ipam/findings': list(FindingFilter),
  'GET /api/v1/ipam/findings/{id}': byId,
  'POST /api/v1/ipam/findings/{id}/acknowledge': byId,
  'POST /api/v1/ipam/findings/{id}/resolve': { ...byId, body: Resolution },
  'POST /api/v1/ipam/exceptions': { body: ExceptionCreate, status: 201 },
  'GET /api/v1/ipam/exceptions': list(ExceptionFilter),
  'GET /api/v1/ipam/exceptions/{id}': byId,
  'DELETE /api/v1/ipam/exceptions/{id}': { ...byId, status: 204 },
  'POST /api/v1/ipam/prefixes': { body: PrefixCreate, status: 201 },
  'GET /api/v1/ipam/prefixes': list(SiteFilter),
  'GET /api/v1/ipam/prefixes/{id}': byId,
  'PATCH /api/v1/ipam/prefixes/{id}': { ...byId, body: PrefixUpdate },
  'DELETE /api/v1/ipam/prefixes/{id}': { ...byId, status: 204 },
  'POST /api/v1/ipam/allocations': { body: AllocationCreate, status: 201 },
  'GET /api/v1/ipam/allocations': list(SiteFilter),
  'GET /api/v1/ipam/allocations/export': { query: SiteFilter, response: 'csv' },
  'POST /api/v1/ipam/allocations/import': { body: 'csv' },
  'GET /api/v1/ipam/allocations/{address}': { path: AddressPath },
  'DELETE /api/v1/ipam/allocations/{address}': { path: AddressPath, status: 204 },
  'POST /api/v1/ipam/reconcile': { status: 202 },

  'GET /api/v1/system/backups': { query: NoQuery },
  'POST /api/v1/firmware/baselines': { body: FirmwareBaselineCreate, status: 201 },
  'POST /api/v1/firmware/baselines/import': { query: CatalogImportQuery, body: 'xml', status: 201 },
  'GET /api/v1/firmware/baselines': list(),
  'GET /api/v1/firmware/baselines/{id}': byId,
  'PATCH /api/v1/firmware/baselines/{id}': { ...byId, body: FirmwareBaselineUpdate },
  'DELETE /api/v1/firmware/baselines/{id}': { ...byId, status: 204 },
  'GET /api/v1/firmware/compliance': { query: ComplianceQuery },
} as const satisfies Record<RouteKey, RouteSchemas>;

export const routeSchemas = (key: RouteKey): RouteSchemas => ROUTE_SCHEMAS[key];
