/**
 * The HTTP API: every route, the function that serves it and the least role allowed to call it.
 * CDK creates one API Gateway route per row (JWT authorizer on all but `auth: 'none'`); the local server
 * matches the same rows; handlers check the role against the same table (one policy, two runtimes); the
 * route keys the API functions serve are typed from it, so a key not in the table fails type-checking.
 */
import type { Role } from '../domain/roles';
import type { FunctionName } from './functions';

export type Route = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `/api/v1/sites/{id}`. */
  path: string;
  function: FunctionName;
  /** Least role allowed; `none` means no token needed. */
  role: Role | 'none';
  summary: string;
  /** A write still served in read-only emergency mode: turning it off, and the controls that stop work. */
  allowedWhileReadOnly?: true;
};

export const ROUTES = [
  { method: 'GET', path: '/api/v1/health', function: 'api-health', role: 'none', summary: 'Overall health with components' },
  { method: 'GET', path: '/api/v1/health/workers', function: 'api-health', role: 'viewer', summary: 'Worker pools' },
  { method: 'GET', path: '/api/v1/openapi.json', function: 'api-system', role: 'viewer', summary: 'This API as an OpenAPI 3.1 document' },

  { method: 'POST', path: '/api/v1/sites', function: 'api-sites', role: 'operator', summary: 'Create a site' },
  { method: 'GET', path: '/api/v1/sites', function: 'api-sites', role: 'viewer', summary: 'List sites' },
  { method: 'GET', path: '/api/v1/sites/{id}', function: 'api-sites', role: 'viewer', summary: 'Get a site' },
  { method: 'PATCH', path: '/api/v1/sites/{id}', function: 'api-sites', role: 'operator', summary: 'Update a site' },
  { method: 'DELETE', path: '/api/v1/sites/{id}', function: 'api-sites', role: 'admin', summary: 'Delete a site' },

  { method: 'POST', path: '/api/v1/vcenter/instances', function: 'api-vcenter', role: 'admin', summary: 'Register a vCenter instance' },
  { method: 'GET', path: '/api/v1/vcenter/instances', function: 'api-vcenter', role: 'viewer', summary: 'List vCenter instances' },
  {
    method: 'GET',
    path: '/api/v1/vcenter/instances/{id}',
    function: 'api-vcenter',
    role: 'viewer',
    summary: 'Get a vCenter instance with reachability and sync state',
  },
  { method: 'PATCH', path: '/api/v1/vcenter/instances/{id}', function: 'api-vcenter', role: 'admin', summary: 'Update a vCenter instance' },
  {
    method: 'DELETE',
    path: '/api/v1/vcenter/instances/{id}',
    function: 'api-vcenter',
    role: 'admin',
    summary: 'Delete a vCenter instance and its synced inventory',
  },
  {
    method: 'GET',
    path: '/api/v1/vcenter/instances/{id}/hosts',
    function: 'api-vcenter',
    role: 'viewer',
    summary: 'Synced hosts of an instance',
  },
  {
    method: 'GET',
    path: '/api/v1/vcenter/instances/{id}/vms',
    function: 'api-vcenter',
    role: 'viewer',
    summary: 'Synced VMs of an instance',
  },
  {
    method: 'GET',
    path: '/api/v1/vcenter/instances/{id}/clusters',
    function: 'api-vcenter',
    role: 'viewer',
    summary: 'Synced clusters of an instance',
  },
  {
    method: 'POST',
    path: '/api/v1/vcenter/sync',
    function: 'api-vcenter',
    role: 'operator',
    summary: 'Request full or delta sync of instances',
  },
  { method: 'GET', path: '/api/v1/vcenter/sync-runs', function: 'api-vcenter', role: 'viewer', summary: 'List sync runs, newest first' },
  { method: 'GET', path: '/api/v1/vcenter/sync-runs/{id}', function: 'api-vcenter', role: 'viewer', summary: 'Get a sync run' },

  {
    method: 'POST',
    path: '/api/v1/service-identities',
    function: 'api-service-identities',
    role: 'admin',
    summary: 'Create a service identity',
  },
  {
    method: 'GET',
    path: '/api/v1/service-identities',
    function: 'api-service-identities',
    role: 'viewer',
    summary: 'List service identities',
  },
  {
    method: 'GET',
    path: '/api/v1/service-identities/{id}',
    function: 'api-service-identities',
    role: 'viewer',
    summary: 'Get a service identity (never its secret)',
  },
  {
    method: 'PATCH',
    path: '/api/v1/service-identities/{id}',
    function: 'api-service-identities',
    role: 'admin',
    summary: 'Update a service identity',
  },
  {
    method: 'DELETE',
    path: '/api/v1/service-identities/{id}',
    function: 'api-service-identities',
    role: 'admin',
    summary: 'Delete a service identity',
  },
  {
    method: 'POST',
    path: '/api/v1/service-identities/{id}/rotate',
    function: 'api-service-identities',
    role: 'admin',
    summary: 'Rotate the credential: generate and set a new password on every target (no body), or record one set by hand',
  },
  {
    method: 'GET',
    path: '/api/v1/service-identities/{id}/rotations/{rotation_id}',
    function: 'api-service-identities',
    role: 'viewer',
    summary: "A credential rotation: its step and each target's result",
  },
  {
    method: 'GET',
    path: '/api/v1/service-identities/{id}/verify',
    function: 'api-service-identities',
    role: 'operator',
    summary: 'Try the credential against its target',
  },
  {
    method: 'GET',
    path: '/api/v1/service-identities/{id}/activity',
    function: 'api-service-identities',
    role: 'viewer',
    summary: 'Audit trail of uses and changes',
  },

  { method: 'POST', path: '/api/v1/jobs', function: 'api-jobs', role: 'operator', summary: 'Submit a job' },
  { method: 'GET', path: '/api/v1/jobs', function: 'api-jobs', role: 'viewer', summary: 'List jobs' },
  {
    method: 'POST',
    path: '/api/v1/jobs/plan',
    function: 'api-jobs',
    role: 'operator',
    summary: 'Plan a job without starting it',
    allowedWhileReadOnly: true,
  },
  { method: 'GET', path: '/api/v1/jobs/{id}', function: 'api-jobs', role: 'viewer', summary: 'Get a job with its steps' },
  { method: 'GET', path: '/api/v1/jobs/{id}/blocking-vms', function: 'api-jobs', role: 'viewer', summary: 'VMs a paused job waits on' },
  { method: 'POST', path: '/api/v1/jobs/{id}/cancel', function: 'api-jobs', role: 'operator', summary: 'Cancel a job' },
  { method: 'POST', path: '/api/v1/jobs/{id}/resume', function: 'api-jobs', role: 'operator', summary: 'Resume a paused job' },
  { method: 'POST', path: '/api/v1/jobs/{id}/retry', function: 'api-jobs', role: 'operator', summary: 'Retry a failed or cancelled job' },

  { method: 'GET', path: '/api/v1/approvals', function: 'api-approvals', role: 'viewer', summary: 'List approval requests' },
  { method: 'GET', path: '/api/v1/approvals/{id}', function: 'api-approvals', role: 'viewer', summary: 'Get an approval request' },
  { method: 'POST', path: '/api/v1/approvals/{id}/approve', function: 'api-approvals', role: 'approver', summary: 'Approve a job' },
  { method: 'POST', path: '/api/v1/approvals/{id}/reject', function: 'api-approvals', role: 'approver', summary: 'Reject a job' },
  {
    method: 'POST',
    path: '/api/v1/approvals/{id}/defer',
    function: 'api-approvals',
    role: 'approver',
    summary: 'Defer an approval decision',
  },
  { method: 'POST', path: '/api/v1/policies', function: 'api-approvals', role: 'admin', summary: 'Create an approval policy' },
  { method: 'GET', path: '/api/v1/policies', function: 'api-approvals', role: 'viewer', summary: 'List approval policies' },
  { method: 'GET', path: '/api/v1/policies/{id}', function: 'api-approvals', role: 'viewer', summary: 'Get an approval policy' },
  { method: 'PATCH', path: '/api/v1/policies/{id}', function: 'api-approvals', role: 'admin', summary: 'Update an approval policy' },
  { method: 'DELETE', path: '/api/v1/policies/{id}', function: 'api-approvals', role: 'admin', summary: 'Delete an approval policy' },

  { method: 'GET', path: '/api/v1/system/kill-switch', function: 'api-system', role: 'viewer', summary: 'Kill switch state' },
  {
    method: 'POST',
    path: '/api/v1/system/kill-switch/activate',
    function: 'api-system',
    role: 'admin',
    summary: 'Activate the kill switch',
    allowedWhileReadOnly: true,
  },
  {
    method: 'POST',
    path: '/api/v1/system/kill-switch/deactivate',
    function: 'api-system',
    role: 'admin',
    summary: 'Deactivate the kill switch',
  },
  { method: 'GET', path: '/api/v1/system/read-only', function: 'api-system', role: 'viewer', summary: 'Read-only emergency mode state' },
  {
    method: 'POST',
    path: '/api/v1/system/read-only/activate',
    function: 'api-system',
    role: 'admin',
    summary: 'Refuse every write (read-only emergency mode), with a reason',
    allowedWhileReadOnly: true,
  },
  {
    method: 'POST',
    path: '/api/v1/system/read-only/deactivate',
    function: 'api-system',
    role: 'admin',
    summary: 'Accept writes again',
    allowedWhileReadOnly: true,
  },
  { method: 'GET', path: '/api/v1/system/scheduler', function: 'api-system', role: 'viewer', summary: 'Job scheduler state' },
  {
    method: 'POST',
    path: '/api/v1/system/scheduler/pause',
    function: 'api-system',
    role: 'operator',
    summary: 'Pause the job scheduler',
    allowedWhileReadOnly: true,
  },
  {
    method: 'POST',
    path: '/api/v1/system/scheduler/resume',
    function: 'api-system',
    role: 'operator',
    summary: 'Resume the job scheduler',
  },
  {
    method: 'POST',
    path: '/api/v1/workers/{pool}/drain',
    function: 'api-system',
    role: 'operator',
    summary: 'Drain a worker pool',
    allowedWhileReadOnly: true,
  },
  {
    method: 'PATCH',
    path: '/api/v1/workers/{pool}',
    function: 'api-system',
    role: 'operator',
    summary: 'Scale a worker pool: batches at once',
  },
  { method: 'GET', path: '/api/v1/audit', function: 'api-system', role: 'viewer', summary: 'Search the audit trail' },
  { method: 'GET', path: '/api/v1/system/backups', function: 'api-system', role: 'viewer', summary: 'Latest recovery point' },
  {
    method: 'GET',
    path: '/api/v1/upstreams',
    function: 'api-system',
    role: 'viewer',
    summary: "Each vCenter's and iDRAC's circuit breaker, as every container shares it",
  },
  {
    method: 'POST',
    path: '/api/v1/upstreams/{id}/reset',
    function: 'api-system',
    role: 'admin',
    summary: "Close an upstream's circuit breaker in every container",
  },
  { method: 'POST', path: '/api/v1/workers/{pool}/undrain', function: 'api-system', role: 'operator', summary: 'Undrain a worker pool' },

  { method: 'POST', path: '/api/v1/dell/endpoints', function: 'api-dell', role: 'operator', summary: 'Register an iDRAC endpoint' },
  { method: 'GET', path: '/api/v1/dell/endpoints', function: 'api-dell', role: 'viewer', summary: 'List iDRAC endpoints' },
  {
    method: 'GET',
    path: '/api/v1/dell/endpoints/{id}',
    function: 'api-dell',
    role: 'viewer',
    summary: 'Get an iDRAC endpoint with its capabilities',
  },
  { method: 'PATCH', path: '/api/v1/dell/endpoints/{id}', function: 'api-dell', role: 'operator', summary: 'Update an iDRAC endpoint' },
  { method: 'DELETE', path: '/api/v1/dell/endpoints/{id}', function: 'api-dell', role: 'admin', summary: 'Delete an iDRAC endpoint' },
  {
    method: 'POST',
    path: '/api/v1/dell/endpoints/{id}/refresh',
    function: 'api-dell',
    role: 'operator',
    summary: 'Probe and inventory an iDRAC now',
  },
  {
    method: 'GET',
    path: '/api/v1/dell/endpoints/{id}/idrac-jobs',
    function: 'api-dell',
    role: 'viewer',
    summary: 'The iDRAC jobs EIO created on an endpoint, with their state',
  },
  { method: 'POST', path: '/api/v1/dell/discover', function: 'api-dell', role: 'operator', summary: 'Start a discovery sweep of sites' },
  {
    method: 'GET',
    path: '/api/v1/dell/discovery-runs',
    function: 'api-dell',
    role: 'viewer',
    summary: 'List discovery runs, newest first',
  },
  { method: 'GET', path: '/api/v1/dell/discovery-runs/{id}', function: 'api-dell', role: 'viewer', summary: 'Progress of a discovery run' },

  {
    method: 'GET',
    path: '/api/v1/ipam/observations',
    function: 'api-ipam',
    role: 'viewer',
    summary: 'IP observations by address, entity, MAC or prefix',
  },
  { method: 'GET', path: '/api/v1/ipam/findings', function: 'api-ipam', role: 'viewer', summary: 'List IPAM findings' },
  { method: 'GET', path: '/api/v1/ipam/findings/{id}', function: 'api-ipam', role: 'viewer', summary: 'Get an IPAM finding' },
  {
    method: 'POST',
    path: '/api/v1/ipam/findings/{id}/acknowledge',
    function: 'api-ipam',
    role: 'operator',
    summary: 'Acknowledge an IPAM finding',
  },
  {
    method: 'POST',
    path: '/api/v1/ipam/findings/{id}/resolve',
    function: 'api-ipam',
    role: 'operator',
    summary: 'Resolve an IPAM finding with an explanation',
  },
  { method: 'POST', path: '/api/v1/ipam/exceptions', function: 'api-ipam', role: 'operator', summary: 'Add an IPAM exception' },
  { method: 'GET', path: '/api/v1/ipam/exceptions', function: 'api-ipam', role: 'viewer', summary: 'List IPAM exceptions' },
  { method: 'GET', path: '/api/v1/ipam/exceptions/{id}', function: 'api-ipam', role: 'viewer', summary: 'Get an IPAM exception' },
  { method: 'DELETE', path: '/api/v1/ipam/exceptions/{id}', function: 'api-ipam', role: 'operator', summary: 'Remove an IPAM exception' },
  { method: 'POST', path: '/api/v1/ipam/prefixes', function: 'api-ipam', role: 'operator', summary: 'Add a prefix to a site' },
  { method: 'GET', path: '/api/v1/ipam/prefixes', function: 'api-ipam', role: 'viewer', summary: 'List prefixes' },
  { method: 'GET', path: '/api/v1/ipam/prefixes/{id}', function: 'api-ipam', role: 'viewer', summary: 'Get a prefix with its ranges' },
  { method: 'PATCH', path: '/api/v1/ipam/prefixes/{id}', function: 'api-ipam', role: 'operator', summary: "Update a prefix's ranges" },
  { method: 'DELETE', path: '/api/v1/ipam/prefixes/{id}', function: 'api-ipam', role: 'admin', summary: 'Delete a prefix' },
  { method: 'POST', path: '/api/v1/ipam/allocations', function: 'api-ipam', role: 'operator', summary: 'Allocate an address' },
  { method: 'GET', path: '/api/v1/ipam/allocations', function: 'api-ipam', role: 'viewer', summary: 'List allocations' },
  {
    method: 'GET',
    path: '/api/v1/ipam/allocations/export',
    function: 'api-ipam',
    role: 'viewer',
    summary: 'Export allocations as CSV',
  },
  {
    method: 'POST',
    path: '/api/v1/ipam/allocations/import',
    function: 'api-ipam',
    role: 'operator',
    summary: 'Import allocations from CSV',
  },
  { method: 'GET', path: '/api/v1/ipam/allocations/{address}', function: 'api-ipam', role: 'viewer', summary: 'Get an allocation' },
  {
    method: 'DELETE',
    path: '/api/v1/ipam/allocations/{address}',
    function: 'api-ipam',
    role: 'operator',
    summary: 'Release an allocation',
  },
  { method: 'POST', path: '/api/v1/ipam/reconcile', function: 'api-ipam', role: 'operator', summary: 'Queue a full IPAM reconciliation' },

  // Baselines are maintained like sites (operators keep them current as Dell releases firmware; deleting one is
  // an admin's): what gets flashed stays behind firmware_update jobs and their approval policies.
  {
    method: 'POST',
    path: '/api/v1/firmware/baselines',
    function: 'api-firmware',
    role: 'operator',
    summary: 'Create a firmware baseline',
  },
  {
    method: 'POST',
    path: '/api/v1/firmware/baselines/import',
    function: 'api-firmware',
    role: 'operator',
    summary: 'Create a firmware baseline from a Dell catalog (Catalog.xml in the body)',
  },
  { method: 'GET', path: '/api/v1/firmware/baselines', function: 'api-firmware', role: 'viewer', summary: 'List firmware baselines' },
  { method: 'GET', path: '/api/v1/firmware/baselines/{id}', function: 'api-firmware', role: 'viewer', summary: 'Get a firmware baseline' },
  {
    method: 'PATCH',
    path: '/api/v1/firmware/baselines/{id}',
    function: 'api-firmware',
    role: 'operator',
    summary: 'Update a firmware baseline',
  },
  {
    method: 'DELETE',
    path: '/api/v1/firmware/baselines/{id}',
    function: 'api-firmware',
    role: 'admin',
    summary: 'Delete a firmware baseline',
  },
  {
    method: 'GET',
    path: '/api/v1/firmware/compliance',
    function: 'api-firmware',
    role: 'viewer',
    summary: 'Firmware compliance per server and component',
  },
] as const satisfies readonly Route[];

type Row = (typeof ROUTES)[number];
type KeyOfRow<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;

/** `METHOD /path` of a row: the `routeKey` API Gateway puts on the event. A key not in the table is a type error. */
export type RouteKey = KeyOfRow<Row>;
/** The route keys one function serves. */
export type RouteKeyOf<F extends FunctionName> = KeyOfRow<Extract<Row, { function: F }>>;
type RowByKey = { [R in Row as KeyOfRow<R>]: R };
/** The least role of a route. */
export type RoleOf<K extends RouteKey> = RowByKey[K]['role'];

export const routeKey = (r: Pick<Route, 'method' | 'path'>): string => `${r.method} ${r.path}`;

const byKey = new Map(ROUTES.map((r) => [routeKey(r), r]));
export const findRoute = (key: string): Route | undefined => byKey.get(key);
