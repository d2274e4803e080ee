import { Annotations, type App, type Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type EioCatalog, REAL_CATALOG } from './catalog';
import { EioNetworkStack } from './network-stack';
import { REPO_ROOT, STATE_MACHINES_DIR } from './paths';
import { type EioSettings, settingsFromContext } from './settings';
import { EioStatefulStack } from './stateful-stack';
import { EioStatelessStack } from './stateless-stack';

const CROSS_STACK_REFERENCES = '@aws-cdk/core:defaultCrossStackReferences';

export type EioStacks = { stateful: EioStatefulStack; network: EioNetworkStack; stateless: EioStatelessStack };

export type BuildEioOptions = {
  /** Defaults to the CDK context of `scope` (see settings.ts). */
  settings?: EioSettings;
  catalog?: EioCatalog;
  repoRoot?: string;
  stateMachinesDir?: string;
};

/**
 * The three EIO stacks, wired, environment-agnostic (no account lookups) and checked by cdk-nag
 * (AwsSolutions). The app entry point and the tests build through here, so tests check exactly what
 * `cdk synth` produces.
 */
export function buildEio(scope: App | Stage, options: BuildEioOptions = {}): EioStacks {
  // Strong (Export/ImportValue) references, stated rather than defaulted: CloudFormation then refuses to
  // delete the table or a queue while functions still use it. The price: removing a worker pool takes two
  // deploys (drop its consumers first, then the queue). cdk.json may override this.
  if (scope.node.tryGetContext(CROSS_STACK_REFERENCES) === undefined) scope.node.setContext(CROSS_STACK_REFERENCES, 'strong');
  const settings = options.settings ?? settingsFromContext(scope.node);
  const catalog = options.catalog ?? REAL_CATALOG;

  const stateful = new EioStatefulStack(scope, 'EioStatefulStack', {
    description: 'EIO v2 state: DynamoDB table and worker pool queues',
    workerPools: catalog.workerPools,
  });
  const network = new EioNetworkStack(scope, 'EioNetworkStack', {
    description: 'EIO v2 network: VPC, endpoints and the device security group',
    vpcCidr: settings.vpcCidr,
    natGateways: settings.natGateways,
    deviceCidrs: settings.deviceCidrs,
    ...(settings.dynamoDbPrefixListId ? { dynamoDbPrefixListId: settings.dynamoDbPrefixListId } : {}),
    logRetentionDays: settings.logRetentionDays,
  });
  const stateless = new EioStatelessStack(scope, 'EioStatelessStack', {
    description: 'EIO v2 code: functions, HTTP API, state machines and schedules',
    table: stateful.table,
    indexNames: stateful.indexNames,
    queues: stateful.queues,
    vpc: network.vpc,
    deviceSecurityGroup: network.deviceSecurityGroup,
    settings,
    catalog,
    repoRoot: options.repoRoot ?? REPO_ROOT,
    stateMachinesDir: options.stateMachinesDir ?? STATE_MACHINES_DIR,
  });

  if (settings.jwtIssuerIsPlaceholder) {
    Annotations.of(stateless).addWarningV2(
      'eio:jwt-issuer-placeholder',
      'eio:jwtIssuer is not set: the JWT authorizer trusts a placeholder issuer and will reject every token. ' +
        'Deploy with -c eio:jwtIssuer=https://<your-idp>/ -c eio:jwtAudience=<audience>.',
    );
  }
  // cdk-nag 3 is a CDK validation plugin (no longer an Aspect): errors fail synth; acknowledged findings are
  // copied into each resource's Metadata (cdk_nag.rules_to_suppress) so the reasons travel with the template.
  Validations.of(scope).addPlugins(new AwsSolutionsChecks(scope, { verbose: true, writeSuppressionsToCloudFormation: true }));
  return { stateful, network, stateless };
}
