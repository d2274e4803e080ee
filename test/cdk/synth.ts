import { App, type CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { type BuildEioOptions, buildEio, type EioStacks } from '../../infra/cdk/eio-app';
import { DEFAULT_SETTINGS, type EioSettings } from '../../infra/cdk/settings';
import { FIXTURE_STATE_MACHINES_DIR, TEST_CATALOG } from './fixtures/catalog';

// Skip aws-cdk-lib's built-in CloudFormation schema validation (most of synth's time); cdk-nag is a
// separate validation plugin and still runs.
process.env.CDK_VALIDATION = 'false';

export type TestApp = EioStacks & {
  app: App;
  templates: { stateful: Template; network: Template; stateless: Template };
  /** Logical id of a construct's CloudFormation resource (its default child, or itself). */
  logicalId: (c: IConstruct) => string;
};

/** The real app wiring (buildEio) over the fixture catalog unless told otherwise. */
export function synthEio(options: Omit<BuildEioOptions, 'settings'> & { settings?: Partial<EioSettings> } = {}): TestApp {
  const app = new App();
  const stacks = buildEio(app, {
    catalog: TEST_CATALOG,
    stateMachinesDir: FIXTURE_STATE_MACHINES_DIR,
    ...options,
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
  });
  return {
    app,
    ...stacks,
    templates: {
      stateful: Template.fromStack(stacks.stateful),
      network: Template.fromStack(stacks.network),
      stateless: Template.fromStack(stacks.stateless),
    },
    logicalId: (c) => {
      const resource = (c.node.defaultChild ?? c) as CfnResource;
      return Stack.of(resource).getLogicalId(resource);
    },
  };
}

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
/** Resources of a type, keyed by logical id. */
export const resourcesOf = (t: Template, type: string): Record<string, Resource> => t.findResources(type) as Record<string, Resource>;

/** `{ "Fn::GetAtt": [id, "Arn"] }` → id, or undefined. */
export const getAttTarget = (v: unknown): string | undefined => {
  const getAtt = (v as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
  return getAtt?.[0];
};

/** Every Action of a policy document's statements that allow something, with the statement's resources. */
export const statementsOf = (policies: Record<string, Resource>, roleLogicalId: string) =>
  Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes(`"${roleLogicalId}"`))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

export type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesList = (s: Statement): unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
