/**
 * Every Lambda function EIO deploys, in one table. CDK bundles each `entry` as a NodejsFunction; the local
 * stack imports the very same module and calls the same exported handler. `vpc` marks the functions that
 * reach iDRACs and vCenters and therefore run in the private subnets. `invoked` functions are called by AWS
 * itself or by an operator, not by a route, a pool or a workflow: Secrets Manager's rotation, the record migration.
 */
export type FunctionKind = 'api' | 'worker' | 'step' | 'invoked';
export type FunctionSpec = {
  /** Path from the repository root, without extension. */
  entry: string;
  kind: FunctionKind;
  vpc: boolean;
  timeoutSeconds: number;
  memoryMb: number;
  description: string;
};

export const FUNCTIONS = {
  'api-health': {
    entry: 'functions/api/health',
    kind: 'api',
    vpc: false,
    timeoutSeconds: 10,
    memoryMb: 512,
    description: 'GET /api/v1/health and /health/workers',
  },
  'api-sites': {
    entry: 'functions/api/sites',
    kind: 'api',
    vpc: false,
    timeoutSeconds: 10,
    memoryMb: 512,
    description: 'Sites: create, list, get, update, delete',
  },
  'api-service-identities': {
    entry: 'functions/api/service-identities',
    kind: 'api',
    vpc: true,
    timeoutSeconds: 30,
    memoryMb: 512,
    description: 'Service identities: credentials for iDRAC and vCenter, verify, rotate, activity',
  },
  'api-jobs': {
    entry: 'functions/api/jobs',
    kind: 'api',
    vpc: false,
    timeoutSeconds: 30,
    memoryMb: 512,
    description: 'Jobs: submit, list, get, cancel, resume, retry',
  },
  'api-approvals': {
    entry: 'functions/api/approvals',
    kind: 'api',
    vpc: false,
    timeoutSeconds: 30,
    memoryMb: 512,
    description: 'Approvals and approval policies',
  },
  'api-system': {
    entry: 'functions/api/system',
    kind: 'api',
    vpc: false,
    timeoutSeconds: 60,
    memoryMb: 512,
    description: 'Kill switch, scheduler pause, worker pool drain',
  },
  'api-vcenter': {
    entry: 'functions/api/vcenter',
    kind: 'api',
    vpc: true,
    timeoutSeconds: 30,
    memoryMb: 512,
    description: 'vCenter instances, sync requests and runs, synced inventory',
  },
  'worker-vcenter-sync': {
    entry: 'functions/workers/vcenter-sync',
    kind: 'worker',
    vpc: true,
    timeoutSeconds: 900,
    memoryMb: 1536,
    description: 'Full and delta vCenter inventory sync (RetrievePropertiesEx, WaitForUpdatesEx)',
  },
  'worker-job-dispatcher': {
    entry: 'functions/workers/job-dispatcher',
    kind: 'worker',
    vpc: false,
    timeoutSeconds: 30,
    memoryMb: 512,
    description: 'Starts one state machine execution per queued job',
  },
  'worker-housekeeping': {
    entry: 'functions/workers/housekeeping',
    kind: 'worker',
    vpc: false,
    timeoutSeconds: 60,
    memoryMb: 512,
    description: 'Expires approvals past their time, re-dispatches queued jobs that lost their message',
  },
  'api-dell': {
    entry: 'functions/api/dell',
    kind: 'api',
    vpc: true,
    timeoutSeconds: 60,
    memoryMb: 512,
    description: 'Dell iDRAC endpoints (create, list, get, update, delete, refresh) and discovery runs',
  },
  'worker-discovery': {
    entry: 'functions/workers/discovery',
    kind: 'worker',
    vpc: true,
    timeoutSeconds: 300,
    memoryMb: 1024,
    description: "Discovery sweeps: probes a slice of a site's addresses, creates or refreshes iDRAC endpoints",
  },
  'api-ipam': {
    entry: 'functions/api/ipam',
    kind: 'api',
    vpc: false,
    timeoutSeconds: 30,
    memoryMb: 512,
    description: 'IPAM: observations, findings, exceptions, prefixes, allocations (CSV import and export)',
  },
  'api-firmware': {
    entry: 'functions/api/firmware',
    kind: 'api',
    vpc: false,
    timeoutSeconds: 30,
    memoryMb: 512,
    description: 'Firmware baselines (by hand or from a Dell catalog) and compliance',
  },
  'worker-ipam': {
    entry: 'functions/workers/ipam',
    kind: 'worker',
    vpc: false,
    timeoutSeconds: 900,
    memoryMb: 2048,
    description: 'IPAM full reconciliation pass over every observation',
  },
  'worker-credential-rotation': {
    entry: 'functions/workers/credential-rotation',
    kind: 'worker',
    vpc: true,
    timeoutSeconds: 900,
    memoryMb: 512,
    description: 'Credential rotation: createSecret, setSecret and testSecret on every target, finishSecret or roll back',
  },
  'step-job': {
    entry: 'functions/steps/job-step',
    kind: 'step',
    vpc: true,
    timeoutSeconds: 300,
    memoryMb: 1024,
    description: "Every Task state of the job state machines: lifecycle steps and the job types' work",
  },
  'secret-rotation': {
    entry: 'functions/workers/secret-rotation',
    kind: 'invoked',
    vpc: true,
    timeoutSeconds: 900,
    memoryMb: 512,
    description: "Secrets Manager's rotation function of the service-identity secrets: the credential rotation's steps",
  },
  'migrate-records': {
    entry: 'functions/workers/migrate-records',
    kind: 'invoked',
    vpc: false,
    timeoutSeconds: 900,
    memoryMb: 512,
    description: 'Record migration: rewrites stored records still in an older shape, one whole pass per invocation, resumable',
  },
} as const satisfies Record<string, FunctionSpec>;

/** The function Secrets Manager calls to rotate a service identity's secret. */
export const SECRET_ROTATION_FUNCTION = 'secret-rotation';
/** The function that runs a whole record migration pass when invoked (docs/operations.md). */
export const MIGRATION_FUNCTION = 'migrate-records';

export type FunctionName = keyof typeof FUNCTIONS;
