import { join } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type CatalogWorkflow, stateMachineName } from './catalog';
import { acknowledge } from './nag';

export type EioWorkflowProps = {
  workflow: string;
  spec: CatalogWorkflow;
  stateMachinesDir: string;
  /** Function name → function, for the task placeholders. */
  functions: Readonly<Record<string, lambda.IFunction>>;
  logRetention: logs.RetentionDays;
};

/**
 * One workflow: the ASL file from statemachines/ (the same file the local stack runs) with its `${Task}`
 * placeholders substituted by function ARNs. The name is fixed (`eio-<workflow>`) so functions can be given
 * ARNs built from names without depending on this construct.
 */
export class EioWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: EioWorkflowProps) {
    super(scope, id);
    const name = stateMachineName(props.workflow);
    const taskFunctions = Object.entries(props.spec.tasks).map(([placeholder, fnName]) => {
      const fn = props.functions[fnName];
      if (!fn) throw new Error(`workflow ${props.workflow}: no function ${fnName} for \${${placeholder}}`);
      return [placeholder, fn] as const;
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account's log resource policy.
      logGroupName: `/aws/vendedlogs/states/${name}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY, // named: a retained group would block the next deploy of the same name
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: name,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(join(props.stateMachinesDir, props.spec.file)),
      definitionSubstitutions: Object.fromEntries(taskFunctions.map(([p, fn]) => [p, fn.functionArn])),
      tracingEnabled: true,
      logs: {
        destination: logGroup,
        level: sfn.LogLevel.ALL,
        // Execution data carries host names, iDRAC addresses and VM lists of operators' estates; the job
        // records keep what an operator needs, so the logs keep only state transitions and errors.
        includeExecutionData: false,
      },
    });

    // Unqualified ARNs only: the ASL invokes exactly the ARN substituted above, never a version or alias.
    for (const fn of new Set(taskFunctions.map(([, fn]) => fn))) {
      this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
    }

    acknowledge(
      this.stateMachine,
      'AwsSolutions-IAM5[Resource::*]',
      'Step Functions log delivery (logs:CreateLogDelivery and friends) and X-Ray tracing (xray:PutTraceSegments, GetSamplingRules) ' +
        "have no resource-level permissions; the role invokes only this EIO workflow's task functions, by ARN.",
    );
  }
}
