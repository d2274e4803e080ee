import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type ScheduleSpec, scheduleInput } from '../../shared/catalog/schedules';

export type EioScheduleProps = { name: string; spec: ScheduleSpec; queue: sqs.IQueue };

/**
 * One SCHEDULES row: EventBridge Scheduler sends the row's message, named after the row (`schedule`), to its
 * pool's queue. The schedule itself stays enabled: the pool's worker drops a `held` row's message while the
 * scheduler switch is on (usecases/scheduled-work.ts), and a drained pool leaves it in the queue.
 */
export class EioSchedule extends Construct {
  readonly schedule: scheduler.CfnSchedule;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: EioScheduleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      // Confused-deputy guard: only schedules of this account may assume the role.
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `EIO schedule ${props.name}: send to its pool queue`,
      inlinePolicies: {
        SendToPoolQueue: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.queue.queueArn] })],
        }),
      },
    });

    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: props.spec.description.slice(0, 512),
      scheduleExpression: props.spec.expression,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: props.queue.queueArn,
        roleArn: this.role.roleArn,
        input: scheduleInput(props.name, props.spec),
        // A missed tick is superseded by the next one: retry briefly, then drop.
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 300 },
      },
    });
  }
}
