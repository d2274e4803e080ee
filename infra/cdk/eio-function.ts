import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../../shared/catalog/functions';
import { acknowledge } from './nag';

/** Newest non-deprecated Node.js runtime in aws-cdk-lib 2.276. */
export const EIO_RUNTIME = lambda.Runtime.NODEJS_24_X;

// ESM bundles have no `require`; some CommonJS dependencies still call it (createRequire restores it).
const ESM_REQUIRE_BANNER =
  "import { createRequire as __eioCreateRequire } from 'node:module'; const require = __eioCreateRequire(import.meta.url);";

export type EioFunctionProps = {
  name: string;
  spec: FunctionSpec;
  repoRoot: string;
  environment: Record<string, string>;
  logRetention: logs.RetentionDays;
  /** Given for `vpc: true` functions: they run in the private subnets behind the device security group. */
  network?: { vpc: ec2.IVpc; securityGroup: ec2.ISecurityGroup };
};

/** Fails synth with a clear message instead of letting NodejsFunction fall back to Docker bundling. */
function assertLocalEsbuild(): void {
  try {
    createRequire(import.meta.url).resolve('esbuild');
  } catch {
    throw new Error('esbuild is not installed: EIO bundles functions with the local esbuild (npm ci), never Docker');
  }
}

/**
 * One EIO Lambda function with the project's defaults: ARM64, the newest Node runtime, local esbuild ESM
 * bundle, its own log group, X-Ray, and a role that starts with nothing but its own log group (grants come
 * from the stateless stack, which knows what each kind of function needs).
 */
export class EioFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly spec: FunctionSpec;
  readonly name: string;

  constructor(scope: Construct, id: string, props: EioFunctionProps) {
    super(scope, id);
    assertLocalEsbuild();
    this.spec = props.spec;
    this.name = props.name;

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `EIO ${props.name}`,
      // Inline in the role (not the default policy) so Lambda sees ENI rights when it creates the function.
      ...(props.network
        ? {
            inlinePolicies: {
              VpcNetworkInterfaces: new iam.PolicyDocument({
                statements: [
                  new iam.PolicyStatement({
                    actions: [
                      'ec2:CreateNetworkInterface',
                      'ec2:DescribeNetworkInterfaces',
                      'ec2:DescribeSubnets',
                      'ec2:DeleteNetworkInterface',
                      'ec2:AssignPrivateIpAddresses',
                      'ec2:UnassignPrivateIpAddresses',
                    ],
                    resources: ['*'],
                  }),
                ],
              }),
            },
          }
        : {}),
    });
    // Instead of AWSLambdaBasicExecutionRole (logs on every group): this function's own group only.
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Fn', {
      entry: join(props.repoRoot, `${props.spec.entry}.ts`),
      handler: 'handler',
      projectRoot: props.repoRoot,
      depsLockFilePath: join(props.repoRoot, 'package-lock.json'),
      runtime: EIO_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.spec.memoryMb,
      timeout: Duration.seconds(props.spec.timeoutSeconds),
      description: props.spec.description.slice(0, 256),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: [props.network.securityGroup],
          }
        : {}),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false, // stack traces need the mappings, not a second copy of the code
        // The Lambda Node.js runtime ships AWS SDK v3; everything else is bundled.
        externalModules: ['@aws-sdk/*'],
        tsconfig: join(props.repoRoot, 'tsconfig.json'),
        logLevel: LogLevel.ERROR,
      },
    });

    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      props.network
        ? 'X-Ray PutTraceSegments/PutTelemetryRecords and the ENI actions Lambda needs to attach this device-reaching EIO function ' +
            'to the private subnets have no resource-level permissions.'
        : 'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing of EIO requests) and, for the EIO system API, DynamoDB ' +
            'ListBackups (GET /api/v1/system/backups) have no resource-level permissions.',
    );
  }
}
