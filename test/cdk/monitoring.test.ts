/**
 * The runbook's key metrics in CloudWatch (issue 16, item 1): an alarm for every threshold, warning and critical,
 * at exactly the value of KEY_METRICS, on the metric EIO publishes, notifying the topic; a dashboard.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_MINUTES, alarmName, alarmPlan, METRICS_NAMESPACE } from '../../infra/cdk/monitoring';
import { DEFAULT_SETTINGS } from '../../infra/cdk/settings';
import { JOB_STEPS } from '../../shared/catalog/worker-pools';
import { KEY_METRICS } from '../../shared/domain/health';
import { TEST_CATALOG } from './fixtures/catalog';
import { actionsOf, resourcesList, resourcesOf, statementsOf, synthEio, type TestApp } from './synth';

let eio: TestApp;
beforeAll(() => {
  eio = synthEio();
});

type AlarmProps = {
  AlarmName: string;
  Namespace: string;
  MetricName: string;
  Dimensions?: { Name: string; Value: string }[];
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Statistic: string;
  Period: number;
  AlarmActions: unknown[];
  OKActions: unknown[];
};
/** The key-metric alarms (the canary deployments' own error alarms are stateless-stack.test.ts's). */
const alarms = () =>
  Object.values(resourcesOf(eio.templates.stateless, 'AWS::CloudWatch::Alarm'))
    .map((r) => r.Properties as AlarmProps)
    .filter((a) => a.Namespace === METRICS_NAMESPACE);
const topicId = () => eio.logicalId(eio.stateless.monitoring.topic);

describe('key-metric alarms', () => {
  it('one warning and one critical alarm per key metric, per steady pool and the job-step function for utilization', () => {
    const plan = alarmPlan(TEST_CATALOG.workerPools);
    expect(plan.filter((p) => p.key === 'workerUtilizationPct').map((p) => `${p.dimensionValue}:${p.level}`)).toEqual([
      'vcenter-sync:warning',
      'vcenter-sync:critical',
      `${JOB_STEPS.name}:warning`,
      `${JOB_STEPS.name}:critical`,
    ]); // ipam is a sweep pool in the fixture: full is working, never an alarm
    expect(alarms()).toHaveLength(plan.length);
    expect(plan.length).toBe((Object.keys(KEY_METRICS).length - 1) * 2 + 4);
  });

  it.each(alarmPlan(TEST_CATALOG.workerPools))('$key $level $dimensionValue fires above the runbook threshold', (plan) => {
    const m = KEY_METRICS[plan.key];
    const a = alarms().find((x) => x.AlarmName.endsWith(alarmName(plan)));
    expect(a, alarmName(plan)).toBeDefined();
    expect(a).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: m.metric,
      Threshold: m.defaults[plan.level],
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: ALARM_MINUTES[plan.level],
      DatapointsToAlarm: ALARM_MINUTES[plan.level],
      Statistic: 'Maximum',
      Period: 60,
    });
    expect(a!.Dimensions ?? []).toEqual('dimension' in m ? [{ Name: m.dimension, Value: plan.dimensionValue }] : []);
    expect(JSON.stringify(a!.AlarmActions)).toContain(topicId());
    expect(JSON.stringify(a!.OKActions)).toContain(topicId());
  });

  it('the runbook table itself: 50/200, 80/95 %, 30/120 min, 5/20 %, 5/20', () => {
    expect(Object.fromEntries(Object.entries(KEY_METRICS).map(([k, m]) => [k, [m.defaults.warning, m.defaults.critical]]))).toEqual({
      jobQueueDepth: [50, 200],
      workerUtilizationPct: [80, 95],
      vcenterSyncAgeMinutes: [30, 120],
      idracUnreachablePct: [5, 20],
      failedJobs24h: [5, 20],
    });
  });
});

describe('notifications topic and dashboard', () => {
  it('encrypts the topic with a rotated key CloudWatch may use, and refuses plain HTTP publishers', () => {
    const t = eio.templates.stateless;
    const topic = resourcesOf(t, 'AWS::SNS::Topic')[topicId()]!.Properties;
    expect(topic.KmsMasterKeyId).toBeDefined();
    const key = Object.values(resourcesOf(t, 'AWS::KMS::Key'))[0]!.Properties as { EnableKeyRotation: boolean; KeyPolicy: unknown };
    expect(key.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    expect(JSON.stringify(resourcesOf(t, 'AWS::SNS::TopicPolicy'))).toContain('aws:SecureTransport');
  });

  it('has a dashboard with health, queues, jobs, syncs and iDRACs', () => {
    const body = JSON.stringify(
      Object.values(resourcesOf(eio.templates.stateless, 'AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody,
    );
    for (const title of ['Health', 'Queues', 'Jobs', 'Syncs', 'iDRACs', 'Worker utilization']) expect(body).toContain(title);
    for (const m of Object.values(KEY_METRICS)) expect(body).toContain(m.metric);
  });
});

describe('operator notifications', () => {
  it('every function may queue a notification, and a pipe publishes each on the operator topic', () => {
    const t = eio.templates.stateless;
    const queueId = eio.logicalId(eio.stateless.monitoring.notifications);
    for (const name of Object.keys(TEST_CATALOG.functions)) {
      const fn = resourcesOf(t, 'AWS::Lambda::Function')[eio.logicalId(eio.stateless.functions[name]!.fn)]!.Properties;
      expect(JSON.stringify((fn.Environment as { Variables: Record<string, unknown> }).Variables.NOTIFICATIONS_QUEUE_URL)).toContain(
        queueId,
      );
      const role = eio.logicalId(eio.stateless.functions[name]!.role);
      const sends = statementsOf(resourcesOf(t, 'AWS::IAM::Policy'), role).filter((s) => actionsOf(s).includes('sqs:SendMessage'));
      expect(JSON.stringify(sends.flatMap(resourcesList)), name).toContain(queueId);
    }
    const pipe = Object.values(resourcesOf(t, 'AWS::Pipes::Pipe'))[0]!.Properties;
    expect(JSON.stringify(pipe.Source)).toContain(queueId);
    expect(JSON.stringify(pipe.Target)).toContain(topicId());
    expect(pipe.TargetParameters).toEqual({ InputTemplate: '<$.body>' });
  });
});

describe('escalation contacts', () => {
  it('subscribes each eio:notifyEmails address to the topic', () => {
    const notifyEmails = ['platform-team@example.com', 'infra-team@example.com'];
    const withContacts = synthEio({ settings: { ...DEFAULT_SETTINGS, notifyEmails } });
    const subs = Object.values(resourcesOf(withContacts.templates.stateless, 'AWS::SNS::Subscription')).map((s) => s.Properties);
    expect(subs.map((s) => [s.Protocol, s.Endpoint])).toEqual([
      ['email', 'platform-team@example.com'],
      ['email', 'infra-team@example.com'],
    ]);
    expect(resourcesOf(eio.templates.stateless, 'AWS::SNS::Subscription')).toEqual({});
  });
});
