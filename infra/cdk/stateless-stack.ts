import { ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { MIGRATION_FUNCTION, SECRET_ROTATION_FUNCTION } from '../../shared/catalog/functions';
import { EioCanaries } from './canary';
import { dlqKey, type EioCatalog, REAL_CATALOG, stateMachineName } from './catalog';
import { assertCatalog } from './catalog-checks';
import { EioFunction } from './eio-function';
import { grantForKind, SECRET_MANAGERS, SECRETS_PREFIX } from './grants';
import { EioHttpApi } from './http-api';
import { EioMonitoring, METRICS_NAMESPACE } from './monitoring';
import { REPO_ROOT, STATE_MACHINES_DIR } from './paths';
import { EioSchedule } from './schedule';
import { DEFAULT_SETTINGS, type EioSettings } from './settings';
import type { PoolQueues } from './stateful-stack';
import { connectWorkerPools } from './worker-pools';
import { EioWorkflow } from './workflow';

export type EioStatelessStackProps = StackProps & {
  table: dynamodb.ITable;
  indexNames: readonly string[];
  /** Pool name → queues, from the stateful stack. */
  queues: Readonly<Record<string, PoolQueues>>;
  vpc: ec2.IVpc;
  deviceSecurityGroup: ec2.ISecurityGroup;
  settings?: EioSettings;
  /** Defaults to the real catalog tables; tests pass small ones. */
  catalog?: EioCatalog;
  repoRoot?: string;
  stateMachinesDir?: string;
};

/**
 * Code and wiring, all derived from the catalog tables: one function per FUNCTIONS row, one route per
 * ROUTES row, an SQS event source per WORKER_POOLS row, a state machine per WORKFLOWS row, a schedule
 * per SCHEDULES row, and an alarm per key-metric threshold (monitoring.ts). A new function, route, pool,
 * workflow or schedule is a row, not CDK code.
 */
export class EioStatelessStack extends Stack {
  readonly functions: Readonly<Record<string, EioFunction>>;
  readonly httpApi: EioHttpApi;
  readonly workflows: Readonly<Record<string, EioWorkflow>>;
  /** Key-metric alarms, the operations dashboard and the notifications topic. */
  readonly monitoring: EioMonitoring;
  /** Pool name → event-source mapping UUID (the API disables it to drain the pool). */
  readonly eventSourceMappings: Readonly<Record<string, string>>;
  /** The live aliases of the API and worker functions and their canary deployments. */
  readonly canaries: EioCanaries;

  constructor(scope: Construct, id: string, props: EioStatelessStackProps) {
    super(scope, id, props);
    const catalog = props.catalog ?? REAL_CATALOG;
    const settings = props.settings ?? DEFAULT_SETTINGS;
    const repoRoot = props.repoRoot ?? REPO_ROOT;
    const stateMachinesDir = props.stateMachinesDir ?? STATE_MACHINES_DIR;
    assertCatalog(catalog, { repoRoot, stateMachinesDir });

    // ARNs from fixed names: functions learn them without depending on the state machines, which depend on
    // the (step) functions. No CloudFormation cycle whichever function a workflow calls.
    const stateMachineArns = Object.fromEntries(
      Object.keys(catalog.workflows).map((wf) => [
        wf,
        this.formatArn({
          service: 'states',
          resource: 'stateMachine',
          resourceName: stateMachineName(wf),
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ]),
    );
    const queueUrls: Record<string, string> = {};
    for (const [pool, q] of Object.entries(props.queues)) {
      queueUrls[pool] = q.queue.queueUrl;
      queueUrls[dlqKey(pool)] = q.dlq.queueUrl;
    }
    this.monitoring = new EioMonitoring(this, 'Monitoring', { workerPools: catalog.workerPools, notifyEmails: settings.notifyEmails });
    // shared/config.ts reads these; every value is a string (JSON maps are rendered at deploy time).
    const environment: Record<string, string> = {
      EIO_RUNTIME: 'aws',
      EIO_VERSION: settings.version,
      TABLE_NAME: props.table.tableName,
      QUEUE_URLS: this.toJsonString(queueUrls),
      STATE_MACHINE_ARNS: this.toJsonString(stateMachineArns),
      SECRETS_PREFIX,
      AUTH_ROLE_CLAIM: settings.authRoleClaim,
      AUTH_MAX_TOKEN_HOURS: String(settings.maxTokenHours),
      AUTH_ISSUER: settings.jwtIssuer,
      AUTH_AUDIENCE: settings.jwtAudience,
      POWERTOOLS_SERVICE_NAME: 'eio',
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      NOTIFICATIONS_QUEUE_URL: this.monitoring.notifications.queueUrl,
    };

    const functions: Record<string, EioFunction> = {};
    for (const [name, spec] of Object.entries(catalog.functions)) {
      functions[name] = new EioFunction(this, `fn-${name}`, {
        name,
        spec,
        repoRoot,
        environment,
        logRetention: settings.logRetentionDays,
        ...(spec.vpc ? { network: { vpc: props.vpc, securityGroup: props.deviceSecurityGroup } } : {}),
      });
    }
    this.functions = functions;

    // Routes and pools reach API and worker functions through their live alias, which CodeDeploy shifts by canary.
    this.canaries = new EioCanaries(this, 'Canaries', {
      functions: Object.values(functions).filter((f) => f.spec.kind === 'api' || f.spec.kind === 'worker'),
      deploymentConfig: settings.deploymentConfig,
    });
    const live = (name: string, f: EioFunction): lambda.IFunction => this.canaries.aliases[name] ?? f.fn;

    const mappings = connectWorkerPools(
      catalog.workerPools,
      Object.fromEntries(Object.entries(functions).map(([n, f]) => [n, live(n, f)])),
      props.queues,
    );
    this.eventSourceMappings = mappings.ids;

    for (const f of Object.values(functions)) {
      if (f.spec.kind === 'api') f.fn.addEnvironment('EVENT_SOURCE_MAPPINGS', this.toJsonString(mappings.ids));
      grantForKind(f, {
        table: props.table,
        indexNames: props.indexNames,
        queues: props.queues,
        stateMachineNames: Object.keys(catalog.workflows).map(stateMachineName),
        eventSourceMappingArns: mappings.arns,
      });
      // A job may fail, pause or ask for approval in any function that moves it.
      this.monitoring.notifications.grantSendMessages(f.role);
    }

    this.wireSecretRotation(functions, settings);

    const lambdas = Object.fromEntries(Object.entries(functions).map(([n, f]) => [n, f.fn]));
    const workflows: Record<string, EioWorkflow> = {};
    for (const [wf, spec] of Object.entries(catalog.workflows)) {
      workflows[wf] = new EioWorkflow(this, `wf-${wf}`, {
        workflow: wf,
        spec,
        stateMachinesDir,
        functions: lambdas,
        logRetention: settings.logRetentionDays,
      });
    }
    this.workflows = workflows;

    for (const [name, spec] of Object.entries(catalog.schedules)) {
      const queue = props.queues[spec.pool]?.queue;
      if (!queue) throw new Error(`schedule ${name}: the stateful stack has no queue for pool ${spec.pool}`);
      new EioSchedule(this, `schedule-${name}`, { name, spec, queue });
    }

    this.httpApi = new EioHttpApi(this, 'Http', {
      routes: catalog.routes,
      functions: Object.fromEntries(Object.entries(functions).map(([n, f]) => [n, live(n, f)])),
      jwtIssuer: settings.jwtIssuer,
      jwtAudience: settings.jwtAudience,
      logRetention: settings.logRetentionDays,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.url, description: 'EIO API base URL' });
    const migration = functions[MIGRATION_FUNCTION];
    if (migration)
      new CfnOutput(this, 'MigrateRecordsFunction', {
        value: migration.fn.functionName,
        description: 'Invoke after a deploy that changes a record shape, until it answers "complete" (docs/operations.md)',
      });
    new CfnOutput(this, 'NotificationsTopicArn', {
      value: this.monitoring.topic.topicArn,
      description: 'SNS topic of EIO alarms and operator notifications: subscribe the on-call here',
    });
  }

  /**
   * Secrets Manager rotates each iDRAC identity's secret with the rotation function. The secrets are made at run
   * time (one per identity and secret version), so no RotationSchedule can name them here: the functions that
   * create them put each on the schedule (RotateSecret with the function's ARN), which this wiring allows.
   */
  private wireSecretRotation(functions: Readonly<Record<string, EioFunction>>, settings: EioSettings): void {
    const rotation = functions[SECRET_ROTATION_FUNCTION];
    if (!rotation) return;
    rotation.fn.addPermission('SecretsManagerInvoke', {
      principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceAccount: this.account,
    });
    for (const name of SECRET_MANAGERS) {
      const f = functions[name];
      if (!f) continue;
      f.fn.addEnvironment('SECRET_ROTATION_FUNCTION_ARN', rotation.fn.functionArn);
      f.fn.addEnvironment('SECRET_ROTATION_SCHEDULE', `rate(${settings.secretRotationDays} days)`);
      // RotateSecret names the function: the caller must be allowed to invoke it, as Secrets Manager then does.
      f.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [rotation.fn.functionArn] }));
    }
  }
}
