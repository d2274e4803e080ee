/**
 * One zod schema over the environment, read once per container. Invalid config fails fast with the
 * offending variable named, instead of surfacing later as an obscure runtime error.
 */
import { z } from 'zod';
import { KEY_METRICS } from './domain/health';

const threshold = (name: keyof typeof KEY_METRICS, level: 'warning' | 'critical') =>
  z.coerce.number().default(KEY_METRICS[name].defaults[level]);

const Env = z.object({
  EIO_RUNTIME: z.enum(['aws', 'local']).default('local'),
  EIO_VERSION: z.string().default('2.0.0'),
  AWS_REGION: z.string().default('us-east-1'),
  TABLE_NAME: z.string().default('eio'),
  /** Set by the local stack to its embedded DynamoDB engine; unset in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  /** JSON map of worker pool name to SQS queue URL (AWS only). */
  QUEUE_URLS: z.string().default('{}'),
  /** JSON map of workflow name to state machine ARN (AWS only). */
  STATE_MACHINE_ARNS: z.string().default('{}'),
  /** JSON map of worker pool name to its SQS event-source mapping UUID (AWS only; drain disables it). */
  EVENT_SOURCE_MAPPINGS: z.string().default('{}'),
  /** Prefix of Secrets Manager secret names holding service-identity credentials (AWS only). */
  SECRETS_PREFIX: z.string().default('eio/service-identities/'),
  /** EIO's Secrets Manager rotation function and the schedule new iDRAC secrets are put on (AWS only; unset: no schedule). */
  SECRET_ROTATION_FUNCTION_ARN: z.string().optional(),
  SECRET_ROTATION_SCHEDULE: z.string().default('rate(30 days)'),
  /** Claim that carries the caller's role; a string or an array (e.g. cognito:groups). */
  AUTH_ROLE_CLAIM: z.string().default('eio_role'),
  AUTH_ISSUER: z.string().default('eio-local'),
  AUTH_AUDIENCE: z.string().default('eio-api'),
  /** The longest a token may be valid for (its exp − iat): a leaked token stops working within this. */
  AUTH_MAX_TOKEN_HOURS: z.coerce.number().positive().max(720).default(24),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
  // Runbook "Key Metrics to Monitor" thresholds (defaults: KEY_METRICS in domain/health.ts), tunable without a rebuild.
  THRESHOLD_QUEUE_DEPTH_WARNING: threshold('jobQueueDepth', 'warning'),
  THRESHOLD_QUEUE_DEPTH_CRITICAL: threshold('jobQueueDepth', 'critical'),
  THRESHOLD_WORKER_UTILIZATION_WARNING: threshold('workerUtilizationPct', 'warning'),
  THRESHOLD_WORKER_UTILIZATION_CRITICAL: threshold('workerUtilizationPct', 'critical'),
  THRESHOLD_VCENTER_SYNC_AGE_WARNING_MIN: threshold('vcenterSyncAgeMinutes', 'warning'),
  THRESHOLD_VCENTER_SYNC_AGE_CRITICAL_MIN: threshold('vcenterSyncAgeMinutes', 'critical'),
  THRESHOLD_IDRAC_UNREACHABLE_WARNING_PCT: threshold('idracUnreachablePct', 'warning'),
  THRESHOLD_IDRAC_UNREACHABLE_CRITICAL_PCT: threshold('idracUnreachablePct', 'critical'),
  THRESHOLD_FAILED_JOBS_24H_WARNING: threshold('failedJobs24h', 'warning'),
  THRESHOLD_FAILED_JOBS_24H_CRITICAL: threshold('failedJobs24h', 'critical'),
  /** iDRAC client timeouts (docs/idrac-clients.md); probes of a dead address cost one connect timeout. */
  IDRAC_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  IDRAC_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(30000),
  /** Addresses one discovery request may sweep in all (its sites' networks and endpoints): four /20s by default. */
  DISCOVERY_MAX_ADDRESSES: z.coerce.number().int().positive().default(16384),
  /** Attempts of one vCenter sync run that fails in transport (unreachable, reset, timeout); 1 = no retry. */
  VCENTER_SYNC_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Delay before a failed sync run's second attempt; doubles per attempt, at most 900 s (SQS delay limit). */
  VCENTER_SYNC_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(900).default(30),
  /** How often a sync run queued behind another run of its instance looks again whether the instance is free. */
  VCENTER_SYNC_WAIT_SECONDS: z.coerce.number().int().min(1).max(900).default(10),
  /** How often a firmware job asks the iDRAC about its jobs and vCenter about a rebooting host. */
  FIRMWARE_POLL_MS: z.coerce.number().int().min(10).max(300_000).default(10_000),
  /** Consecutive transport failures that open one vCenter's circuit breaker (per instance, per container). */
  VCENTER_BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(5),
  /** How long an open breaker refuses calls before letting one probe through. */
  VCENTER_BREAKER_HALF_OPEN_SECONDS: z.coerce.number().positive().default(30),
  /** AWS: URL of the queue the notifications pipe forwards to the SNS topic (set by CDK). */
  NOTIFICATIONS_QUEUE_URL: z.string().optional(),
  /** Local: where operator notifications are POSTed (unset: the log only), and the HMAC key that signs them. */
  NOTIFY_WEBHOOK_URL: z.url().optional(),
  NOTIFY_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Retention before DynamoDB's TTL removes them: audit entries, job steps (jobs themselves stay), idempotency keys. */
  RETENTION_AUDIT_DAYS: z.coerce.number().int().min(1).default(365),
  RETENTION_JOB_STEPS_DAYS: z.coerce.number().int().min(1).default(90),
  RETENTION_IDEMPOTENCY_KEY_HOURS: z.coerce.number().int().min(1).default(24),
  /** Store answering slower than this (ms) reports degraded. */
  THRESHOLD_STORE_LATENCY_WARNING_MS: z.coerce.number().default(500),
  /** Open IPAM findings (not suppressed by an exception) above which health's `ipam` is degraded / critical. */
  THRESHOLD_IPAM_OPEN_FINDINGS_WARNING: z.coerce.number().default(25),
  THRESHOLD_IPAM_OPEN_FINDINGS_CRITICAL: z.coerce.number().default(250),
  /** An observation counts as live this long after it was last seen (longer than the slowest source's period: nightly discovery). */
  IPAM_LIVE_HOURS: z.coerce.number().positive().default(26),
  /** An allocation with nothing seen at it this long is a stale_allocation. */
  IPAM_STALE_ALLOCATION_DAYS: z.coerce.number().positive().default(30),
});

const jsonMap = (name: string, raw: string): Record<string, string> => {
  try {
    return z.record(z.string(), z.string()).parse(JSON.parse(raw));
  } catch {
    throw new Error(`Invalid configuration: ${name} must be a JSON object of strings`);
  }
};

export type Config = ReturnType<typeof parseConfig>;

export function parseConfig(env: Record<string, string | undefined>) {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  if (e.NOTIFY_WEBHOOK_URL && !e.NOTIFY_WEBHOOK_SECRET)
    throw new Error('Invalid configuration: NOTIFY_WEBHOOK_SECRET must be set with NOTIFY_WEBHOOK_URL (notifications are signed)');
  return {
    runtime: e.EIO_RUNTIME,
    version: e.EIO_VERSION,
    region: e.AWS_REGION,
    tableName: e.TABLE_NAME,
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    queueUrls: jsonMap('QUEUE_URLS', e.QUEUE_URLS),
    stateMachineArns: jsonMap('STATE_MACHINE_ARNS', e.STATE_MACHINE_ARNS),
    eventSourceMappings: jsonMap('EVENT_SOURCE_MAPPINGS', e.EVENT_SOURCE_MAPPINGS),
    secretsPrefix: e.SECRETS_PREFIX,
    secretRotation: e.SECRET_ROTATION_FUNCTION_ARN
      ? { functionArn: e.SECRET_ROTATION_FUNCTION_ARN, scheduleExpression: e.SECRET_ROTATION_SCHEDULE }
      : undefined,
    auth: { roleClaim: e.AUTH_ROLE_CLAIM, issuer: e.AUTH_ISSUER, audience: e.AUTH_AUDIENCE, maxTokenHours: e.AUTH_MAX_TOKEN_HOURS },
    maxBodyBytes: e.MAX_BODY_BYTES,
    idrac: {
      connectTimeoutMs: e.IDRAC_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: e.IDRAC_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.IDRAC_HEADERS_TIMEOUT_MS,
    },
    discoveryMaxAddresses: e.DISCOVERY_MAX_ADDRESSES,
    firmwarePollMs: e.FIRMWARE_POLL_MS,
    vcenter: {
      syncMaxAttempts: e.VCENTER_SYNC_MAX_ATTEMPTS,
      syncRetryDelaySeconds: e.VCENTER_SYNC_RETRY_DELAY_SECONDS,
      syncWaitSeconds: e.VCENTER_SYNC_WAIT_SECONDS,
      breakerThreshold: e.VCENTER_BREAKER_THRESHOLD,
      breakerHalfOpenMs: Math.round(e.VCENTER_BREAKER_HALF_OPEN_SECONDS * 1000),
    },
    retention: {
      auditMs: e.RETENTION_AUDIT_DAYS * 86_400_000,
      jobStepsMs: e.RETENTION_JOB_STEPS_DAYS * 86_400_000,
      idempotencyKeyMs: e.RETENTION_IDEMPOTENCY_KEY_HOURS * 3_600_000,
    },
    logLevel: e.LOG_LEVEL,
    notifications: {
      queueUrl: e.NOTIFICATIONS_QUEUE_URL,
      webhook: e.NOTIFY_WEBHOOK_URL && e.NOTIFY_WEBHOOK_SECRET ? { url: e.NOTIFY_WEBHOOK_URL, secret: e.NOTIFY_WEBHOOK_SECRET } : undefined,
    },
    ipam: { liveMs: e.IPAM_LIVE_HOURS * 3_600_000, staleAllocationMs: e.IPAM_STALE_ALLOCATION_DAYS * 86_400_000 },
    thresholds: {
      jobQueueDepth: { warning: e.THRESHOLD_QUEUE_DEPTH_WARNING, critical: e.THRESHOLD_QUEUE_DEPTH_CRITICAL },
      workerUtilizationPct: {
        warning: e.THRESHOLD_WORKER_UTILIZATION_WARNING,
        critical: e.THRESHOLD_WORKER_UTILIZATION_CRITICAL,
      },
      vcenterSyncAgeMinutes: {
        warning: e.THRESHOLD_VCENTER_SYNC_AGE_WARNING_MIN,
        critical: e.THRESHOLD_VCENTER_SYNC_AGE_CRITICAL_MIN,
      },
      idracUnreachablePct: {
        warning: e.THRESHOLD_IDRAC_UNREACHABLE_WARNING_PCT,
        critical: e.THRESHOLD_IDRAC_UNREACHABLE_CRITICAL_PCT,
      },
      failedJobs24h: { warning: e.THRESHOLD_FAILED_JOBS_24H_WARNING, critical: e.THRESHOLD_FAILED_JOBS_24H_CRITICAL },
      storeLatencyMs: { warning: e.THRESHOLD_STORE_LATENCY_WARNING_MS, critical: Number.POSITIVE_INFINITY },
      ipamOpenFindings: { warning: e.THRESHOLD_IPAM_OPEN_FINDINGS_WARNING, critical: e.THRESHOLD_IPAM_OPEN_FINDINGS_CRITICAL },
    },
  };
}

let cached: Config | undefined;
/** The process-wide config, parsed on first use (cold start). */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
/** Tests and the local stack re-read the environment after changing it. */
export function resetConfig(): void {
  cached = undefined;
}
