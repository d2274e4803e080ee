/**
 * Deployment settings, read from CDK context (`cdk synth -c eio:jwtIssuer=https://...`). Every key has a
 * default so `cdk synth` works offline with no arguments; the defaults that cannot be right in a real
 * deployment (the JWT issuer) are flagged with a synth warning instead of failing.
 *
 * | context key            | default                          | meaning                                              |
 * | ---------------------- | -------------------------------- | ---------------------------------------------------- |
 * | eio:jwtIssuer          | https://issuer.example.invalid/  | OIDC issuer the HTTP API's JWT authorizer trusts      |
 * | eio:jwtAudience        | eio-api                          | required `aud` of the access token                   |
 * | eio:authRoleClaim      | eio_role                         | claim carrying the caller's role (AUTH_ROLE_CLAIM)   |
 * | eio:maxTokenHours      | 24                               | longest token lifetime accepted (AUTH_MAX_TOKEN_HOURS)|
 * | eio:version            | package.json version             | EIO_VERSION reported by the API                      |
 * | eio:vpcCidr            | 10.250.0.0/16                    | must not overlap the on-prem management networks     |
 * | eio:natGateways        | 1                                | 2 for AZ-independent egress                          |
 * | eio:deviceCidrs        | ["0.0.0.0/0"]                    | where iDRACs/vCenters live (comma list or JSON array)|
 * | eio:dynamoDbPrefixList | (none)                           | pl-… of com.amazonaws.<region>.dynamodb; required    |
 * |                        |                                  | once deviceCidrs no longer covers the internet       |
 * | eio:logRetentionDays   | 90                               | retention of function, state machine and API logs    |
 * | eio:notifyEmails       | (none)                           | escalation contacts: addresses subscribed to the     |
 * |                        |                                  | alarms and notifications topic (comma list or JSON)  |
 * | eio:deploymentConfig   | CANARY_10PERCENT_5MINUTES        | how CodeDeploy shifts API and worker traffic to a new|
 * |                        |                                  | version (a LambdaDeploymentConfig name; ALL_AT_ONCE) |
 * | eio:secretRotationDays | 30                               | Secrets Manager rotates each iDRAC identity's secret |
 * |                        |                                  | this often (the rotation function's schedule)        |
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { REPO_ROOT } from './paths';

/** Every setting, resolved (the keys and defaults are in the table at the top of this file). */
export type EioSettings = {
  jwtIssuer: string;
  jwtAudience: string;
  authRoleClaim: string;
  maxTokenHours: number;
  version: string;
  vpcCidr: string;
  natGateways: number;
  deviceCidrs: string[];
  dynamoDbPrefixListId?: string;
  logRetentionDays: RetentionDays;
  /** Escalation contacts subscribed (by email) to the alarms and notifications topic. */
  notifyEmails: string[];
  /** A LambdaDeploymentConfig name: the canary (or linear, or all-at-once) shift of a new version. */
  deploymentConfig: DeploymentConfigName;
  /** Days between Secrets Manager's rotations of an iDRAC identity's secret. */
  secretRotationDays: number;
  /** True when the issuer is the placeholder default (the app warns at synth). */
  jwtIssuerIsPlaceholder: boolean;
};

/** CodeDeploy's predefined Lambda deployment configurations (LambdaDeploymentConfig's static members). */
export const DEPLOYMENT_CONFIGS = [
  'ALL_AT_ONCE',
  'CANARY_10PERCENT_5MINUTES',
  'CANARY_10PERCENT_10MINUTES',
  'CANARY_10PERCENT_15MINUTES',
  'CANARY_10PERCENT_30MINUTES',
  'LINEAR_10PERCENT_EVERY_1MINUTE',
  'LINEAR_10PERCENT_EVERY_2MINUTES',
  'LINEAR_10PERCENT_EVERY_3MINUTES',
  'LINEAR_10PERCENT_EVERY_10MINUTES',
] as const;
export type DeploymentConfigName = (typeof DEPLOYMENT_CONFIGS)[number];

function deploymentConfigName(v: string): DeploymentConfigName {
  const found = DEPLOYMENT_CONFIGS.find((c) => c === v);
  if (!found) throw new Error(`context eio:deploymentConfig must be one of ${DEPLOYMENT_CONFIGS.join(', ')}, got ${v}`);
  return found;
}

export const PLACEHOLDER_JWT_ISSUER = 'https://issuer.example.invalid/';

const packageVersion = (): string => (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export const DEFAULT_SETTINGS: EioSettings = {
  jwtIssuer: PLACEHOLDER_JWT_ISSUER,
  jwtAudience: 'eio-api',
  authRoleClaim: 'eio_role',
  maxTokenHours: 24,
  version: packageVersion(),
  vpcCidr: '10.250.0.0/16',
  natGateways: 1,
  deviceCidrs: ['0.0.0.0/0'],
  logRetentionDays: RetentionDays.THREE_MONTHS,
  notifyEmails: [],
  deploymentConfig: 'CANARY_10PERCENT_5MINUTES',
  secretRotationDays: 30,
  jwtIssuerIsPlaceholder: true,
};

const list = (v: unknown): string[] | undefined => {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.map(String);
  const s = String(v).trim();
  return s.startsWith('[')
    ? (JSON.parse(s) as unknown[]).map(String)
    : s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
};

export function settingsFromContext(node: Node): EioSettings {
  const ctx = (key: string): unknown => node.tryGetContext(`eio:${key}`);
  const str = (key: string, fallback: string): string => {
    const v = ctx(key);
    return v === undefined || v === '' ? fallback : String(v);
  };
  const num = (key: string, fallback: number): number => {
    const v = ctx(key);
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`context eio:${key} must be a non-negative number, got ${String(v)}`);
    return n;
  };
  const retention = num('logRetentionDays', DEFAULT_SETTINGS.logRetentionDays);
  // CloudWatch Logs accepts only its fixed list of retention periods.
  if (!(Object.values(RetentionDays) as unknown[]).includes(retention)) {
    throw new Error(`context eio:logRetentionDays ${retention} is not a CloudWatch Logs retention period`);
  }
  const rotationDays = num('secretRotationDays', DEFAULT_SETTINGS.secretRotationDays);
  // Secrets Manager's schedules run every 4 hours at most often and every 1,000 days at least.
  if (!Number.isInteger(rotationDays) || rotationDays < 1 || rotationDays > 1000)
    throw new Error(`context eio:secretRotationDays must be a whole number of days from 1 to 1000, got ${rotationDays}`);
  const jwtIssuer = str('jwtIssuer', DEFAULT_SETTINGS.jwtIssuer);
  const prefixList = ctx('dynamoDbPrefixList');
  return {
    jwtIssuer,
    jwtAudience: str('jwtAudience', DEFAULT_SETTINGS.jwtAudience),
    authRoleClaim: str('authRoleClaim', DEFAULT_SETTINGS.authRoleClaim),
    maxTokenHours: num('maxTokenHours', DEFAULT_SETTINGS.maxTokenHours),
    version: str('version', DEFAULT_SETTINGS.version),
    vpcCidr: str('vpcCidr', DEFAULT_SETTINGS.vpcCidr),
    natGateways: num('natGateways', DEFAULT_SETTINGS.natGateways),
    deviceCidrs: list(ctx('deviceCidrs')) ?? DEFAULT_SETTINGS.deviceCidrs,
    ...(prefixList ? { dynamoDbPrefixListId: String(prefixList) } : {}),
    logRetentionDays: retention as RetentionDays,
    notifyEmails: list(ctx('notifyEmails')) ?? DEFAULT_SETTINGS.notifyEmails,
    deploymentConfig: deploymentConfigName(str('deploymentConfig', DEFAULT_SETTINGS.deploymentConfig)),
    secretRotationDays: rotationDays,
    jwtIssuerIsPlaceholder: jwtIssuer === PLACEHOLDER_JWT_ISSUER,
  };
}
