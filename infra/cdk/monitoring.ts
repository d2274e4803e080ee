/**
 * The runbook's "Key Metrics to Monitor" in CloudWatch: one alarm per threshold (warning and critical) of
 * every key metric, judged on the figures EIO itself publishes every minute (namespace EIO, from the
 * housekeeping sweep: usecases/operational-metrics.ts), so an alarm and GET /api/v1/health never disagree;
 * a dashboard (health, queues, jobs, syncs, iDRACs); and the SNS topic alarms and EIO's notifications go to
 * (functions queue a notification on `notifications`; an EventBridge pipe forwards each to the topic).
 * Thresholds come from KEY_METRICS (shared/domain/health.ts), never written here.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { JOB_STEPS } from '../../shared/catalog/worker-pools';
import { KEY_METRICS, type KeyMetric, type KeyMetricName } from '../../shared/domain/health';
import type { CatalogWorkerPool } from './catalog';

export const METRICS_NAMESPACE = 'EIO';
export const LEVELS = ['warning', 'critical'] as const;
export type AlarmLevel = (typeof LEVELS)[number];

/**
 * How long a figure must stay above its threshold before the alarm fires, per level: the figures are published
 * once a minute; a warning waits out a passing spike, a critical one answers sooner.
 */
export const ALARM_MINUTES: Record<AlarmLevel, number> = { warning: 5, critical: 3 };

/** One alarm to create: a key metric at one level, for one dimension value when it has a dimension. */
export type AlarmPlan = { key: KeyMetricName; level: AlarmLevel; dimensionValue?: string };

/** Worker utilization is watched per steady pool and for the job-step function; a sweep pool at its limit is working. */
export function alarmPlan(workerPools: Readonly<Record<string, CatalogWorkerPool>>): AlarmPlan[] {
  const watchedPools = [
    ...Object.entries(workerPools)
      .filter(([, p]) => p.load === 'steady')
      .map(([name]) => name),
    JOB_STEPS.name,
  ];
  return (Object.keys(KEY_METRICS) as KeyMetricName[]).flatMap((key) => {
    const m: KeyMetric = KEY_METRICS[key];
    const values = m.dimension ? watchedPools : [undefined];
    return values.flatMap((dimensionValue) => LEVELS.map((level) => ({ key, level, ...(dimensionValue ? { dimensionValue } : {}) })));
  });
}

export const alarmName = (p: AlarmPlan): string =>
  `eio-${KEY_METRICS[p.key].metric}${p.dimensionValue ? `-${p.dimensionValue}` : ''}-${p.level}`;

const eioMetric = (name: string, dimensions?: Record<string, string>, label?: string) =>
  new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    ...(dimensions ? { dimensionsMap: dimensions } : {}),
    statistic: cloudwatch.Stats.MAXIMUM,
    period: Duration.minutes(1),
    ...(label ? { label } : {}),
  });

export type EioMonitoringProps = {
  workerPools: Readonly<Record<string, CatalogWorkerPool>>;
  /** Escalation contacts (settings eio:notifyEmails) subscribed to the topic; more (chat, pager) subscribe outside EIO. */
  notifyEmails: readonly string[];
};

export class EioMonitoring extends Construct {
  readonly topic: sns.Topic;
  /** Functions send operator notifications here (adapters/notifier/topic-notifier.ts); the pipe publishes them. */
  readonly notifications: sqs.Queue;
  readonly alarms: Record<string, cloudwatch.Alarm> = {};
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: EioMonitoringProps) {
    super(scope, id);
    // CloudWatch may publish to an encrypted topic only with a customer-managed key whose policy lets it.
    const key = new kms.Key(this, 'TopicKey', { enableKeyRotation: true, description: 'EIO operator notifications topic' });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'EIO alarms and operator notifications',
      masterKey: key,
      enforceSSL: true,
    });
    const notify = new actions.SnsAction(this.topic);
    for (const email of props.notifyEmails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));

    const dlq = new sqs.Queue(this, 'NotificationsDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.notifications = new sqs.Queue(this, 'Notifications', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
    });
    const pipeRole = new iam.Role(this, 'PipeRole', {
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'EIO notifications pipe: notifications queue to the operator topic',
    });
    this.notifications.grantConsumeMessages(pipeRole);
    // Named actions (grantPublish would add kms:GenerateDataKey*): publish, and the key's two calls it needs.
    pipeRole.addToPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }));
    pipeRole.addToPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }));
    new pipes.CfnPipe(this, 'NotificationsPipe', {
      description: 'EIO operator notifications: each queued notification published on the operator topic',
      roleArn: pipeRole.roleArn,
      source: this.notifications.queueArn,
      sourceParameters: { sqsQueueParameters: { batchSize: 1 } },
      target: this.topic.topicArn,
      targetParameters: { inputTemplate: '<$.body>' },
    });

    for (const plan of alarmPlan(props.workerPools)) {
      const m: KeyMetric = KEY_METRICS[plan.key];
      const threshold = m.defaults[plan.level];
      const name = alarmName(plan);
      const alarm = new cloudwatch.Alarm(this, name, {
        alarmName: `${Stack.of(this).stackName}-${name}`,
        alarmDescription:
          `${plan.level.toUpperCase()}: runbook "${m.label}"${plan.dimensionValue ? ` (${plan.dimensionValue})` : ''} above ` +
          `${threshold} ${m.unit} for ${ALARM_MINUTES[plan.level]} minutes: ${m.meaning}. See docs/operations.md.`,
        metric: eioMetric(m.metric, m.dimension && plan.dimensionValue ? { [m.dimension]: plan.dimensionValue } : undefined),
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: ALARM_MINUTES[plan.level],
        datapointsToAlarm: ALARM_MINUTES[plan.level],
        // No figure means no housekeeping sweep published one: the figure is unknown, not fine and not bad.
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      this.alarms[name] = alarm;
    }

    const pools = [...Object.keys(props.workerPools), JOB_STEPS.name];
    const graph = (title: string, metrics: cloudwatch.IMetric[], key?: KeyMetricName) =>
      new cloudwatch.GraphWidget({
        title,
        left: metrics,
        width: 12,
        ...(key
          ? {
              leftAnnotations: LEVELS.map((level) => ({
                value: KEY_METRICS[key].defaults[level],
                label: level,
                color: level === 'critical' ? cloudwatch.Color.RED : cloudwatch.Color.ORANGE,
              })),
            }
          : {}),
      });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-operations`,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Health: every key-metric alarm',
            alarms: Object.values(this.alarms),
            width: 24,
          }),
        ],
        [
          graph('Queues: jobs waiting (queued, held ones included)', [eioMetric(KEY_METRICS.jobQueueDepth.metric)], 'jobQueueDepth'),
          graph(
            'Queues: messages waiting per pool',
            Object.keys(props.workerPools).map((p) => eioMetric('QueueDepth', { pool: p }, p)),
          ),
        ],
        [
          graph(
            'Worker utilization % per pool (sweep pools: working when full)',
            pools.map((p) => eioMetric(KEY_METRICS.workerUtilizationPct.metric, { pool: p }, p)),
            'workerUtilizationPct',
          ),
          graph(
            'Jobs: failed in the last 24 h, stuck',
            [eioMetric(KEY_METRICS.failedJobs24h.metric), eioMetric('StuckJobs')],
            'failedJobs24h',
          ),
        ],
        [
          graph('Syncs: oldest vCenter sync age (minutes)', [eioMetric(KEY_METRICS.vcenterSyncAgeMinutes.metric)], 'vcenterSyncAgeMinutes'),
          graph('iDRACs: unreachable %', [eioMetric(KEY_METRICS.idracUnreachablePct.metric)], 'idracUnreachablePct'),
        ],
      ],
    });
  }
}
