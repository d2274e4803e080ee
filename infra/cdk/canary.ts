/**
 * Deploy rollback: every API and worker function is reached through its `live` alias, and CodeDeploy moves the
 * alias to a new version by the configured shift (a canary by default: 10 % for five minutes, then the rest).
 * While it shifts, an alarm on the new version's errors watches it; an error rolls the alias back to the
 * version before, as does a failed or stopped deployment (docs/operations.md, "Deploy rollback").
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { EioFunction } from './eio-function';
import { acknowledge } from './nag';
import type { DeploymentConfigName } from './settings';

/** The alias routes, pools and CodeDeploy use. */
export const LIVE_ALIAS = 'live';
/** How long an error must last on the new version before the deployment rolls back: one is enough. */
const ERROR_MINUTES = 1;

export type EioCanariesProps = {
  /** The functions to shift by canary (API and workers); others are invoked by their unqualified ARN. */
  functions: readonly EioFunction[];
  deploymentConfig: DeploymentConfigName;
};

export class EioCanaries extends Construct {
  /** Function name → its `live` alias. */
  readonly aliases: Record<string, lambda.Alias> = {};
  readonly deploymentGroups: Record<string, codedeploy.LambdaDeploymentGroup> = {};
  readonly errorAlarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: EioCanariesProps) {
    super(scope, id);
    const application = new codedeploy.LambdaApplication(this, 'Application');
    // One role for every deployment group (CodeDeploy's own managed policy, limited to Lambda).
    const role = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
      description: 'EIO canary deployments of the API and worker functions',
    });
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      'CodeDeploy shifts the live alias of EIO API and worker functions with its own Lambda-limited service policy, which ' +
        'aws-cdk-lib attaches to every Lambda deployment group role; it updates aliases and invokes hooks, nothing else.',
    );
    const deploymentConfig = codedeploy.LambdaDeploymentConfig[props.deploymentConfig];

    for (const f of props.functions) {
      const alias = new lambda.Alias(f, 'Live', { aliasName: LIVE_ALIAS, version: f.fn.currentVersion });
      const errors = new cloudwatch.Alarm(f, 'CanaryErrors', {
        alarmDescription: `EIO ${f.name}: its newest version failed an invocation (during a deployment this rolls it back)`,
        // The new version's own errors: the version already serving is not what is being judged.
        metric: f.fn.currentVersion.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: ERROR_MINUTES,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.aliases[f.name] = alias;
      this.errorAlarms[f.name] = errors;
      this.deploymentGroups[f.name] = new codedeploy.LambdaDeploymentGroup(f, 'Deployment', {
        application,
        alias,
        role,
        deploymentConfig,
        alarms: [errors],
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
      });
    }
  }
}
