import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { REAL_CATALOG } from '../../infra/cdk/catalog';
import { catalogProblems } from '../../infra/cdk/catalog-checks';
import { buildEio } from '../../infra/cdk/eio-app';
import { REPO_ROOT, STATE_MACHINES_DIR } from '../../infra/cdk/paths';
import { DEFAULT_SETTINGS } from '../../infra/cdk/settings';
import './synth'; // CDK_VALIDATION=false

/**
 * The app exactly as `cdk synth` builds it, over the real catalog tables: every handler entry must exist and
 * bundle, every row must become its resource, and cdk-nag must be clean. Tolerates nothing on purpose.
 */
describe('the real catalog', () => {
  it('has no cross-table problems (every entry file exists, every reference resolves)', () => {
    expect(catalogProblems(REAL_CATALOG, { repoRoot: REPO_ROOT, stateMachinesDir: STATE_MACHINES_DIR })).toEqual([]);
  });

  // esbuild bundles every function: 10 s on a quiet 2-core machine, 35–50 s beside the rest of the suite.
  it('synthesizes every row, nag-clean', { timeout: 180_000 }, () => {
    const app = new App();
    const { stateful, stateless } = buildEio(app, { settings: DEFAULT_SETTINGS });
    const t = Template.fromStack(stateless);

    t.resourceCountIs('AWS::Lambda::Function', Object.keys(REAL_CATALOG.functions).length);
    for (const [name, spec] of Object.entries(REAL_CATALOG.functions)) {
      const f = stateless.functions[name]!;
      const props = t.toJSON().Resources[stateless.getLogicalId(f.fn.node.defaultChild as never)].Properties;
      expect(props.Architectures, name).toEqual(['arm64']);
      expect(props.VpcConfig !== undefined, name).toBe(spec.vpc);
    }

    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes).toHaveLength(REAL_CATALOG.routes.length);
    for (const row of REAL_CATALOG.routes) {
      const route = routes.find((r) => r.RouteKey === `${row.method} ${row.path}`);
      expect(route?.AuthorizationType, `${row.method} ${row.path}`).toBe(row.role === 'none' ? 'NONE' : 'JWT');
    }
    expect(routes.find((r) => r.RouteKey === 'GET /api/v1/health')?.AuthorizationType).toBe('NONE');

    t.resourceCountIs('AWS::Lambda::EventSourceMapping', Object.keys(REAL_CATALOG.workerPools).length);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', Object.keys(REAL_CATALOG.workflows).length);
    t.resourceCountIs('AWS::Scheduler::Schedule', Object.keys(REAL_CATALOG.schedules).length);
    Template.fromStack(stateful).resourceCountIs('AWS::SQS::Queue', 2 * Object.keys(REAL_CATALOG.workerPools).length);

    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });
});
