import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEio } from '../../infra/cdk/eio-app';
import { DEFAULT_SETTINGS } from '../../infra/cdk/settings';
import { FIXTURE_STATE_MACHINES_DIR, TEST_CATALOG } from './fixtures/catalog';
import { synthEio, type TestApp } from './synth';

/**
 * cdk-nag 3 is a CDK validation plugin, not an Aspect: its findings go to the validation report (and fail
 * synth when they are errors), never to Annotations. So the check runs the AwsSolutions pack directly over
 * the synthesized construct tree, which honours the same acknowledgments as synth does.
 */
const findings = (scope: IConstruct) =>
  new AwsSolutionsChecks()
    .validateScope(scope)
    .violations.map((v) => `${v.severity} ${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`);

/** Every acknowledgment EIO made (CDK's own CloudFormation-Validate acknowledgments excluded). */
function acknowledgments(scope: IConstruct): { path: string; id: string; reason: string }[] {
  const out: { path: string; id: string; reason: string }[] = [];
  const walk = (c: IConstruct) => {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
        if (!id.includes('CloudFormation-Validate')) out.push({ path: c.node.path, id, reason });
      }
    }
    c.node.children.forEach(walk);
  };
  walk(scope);
  return out;
}

let eio: TestApp;
beforeAll(() => {
  eio = synthEio();
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged errors or warnings', () => {
    expect(findings(eio.app)).toEqual([]);
  });

  it('acknowledges findings only with an EIO-specific written reason', () => {
    const acks = acknowledgments(eio.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      // IAM4 only for the one AWS managed policy aws-cdk-lib gives every Lambda deployment group (canary.ts).
      const codeDeployPolicy = 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]';
      const allowed =
        /^Annotation::AwsSolutions-(IAM5\[Resource::.+\]|APIG4)$/.test(a.id) || a.id === `Annotation::AwsSolutions-${codeDeployPolicy}`;
      expect(allowed, a.id).toBe(true);
      expect(a.reason.length, a.id).toBeGreaterThan(80);
      expect(a.reason, a.id).toMatch(/EIO/);
    }
  });

  it('still catches an anonymous route nobody justified', () => {
    const app = new App();
    buildEio(app, {
      settings: DEFAULT_SETTINGS,
      stateMachinesDir: FIXTURE_STATE_MACHINES_DIR,
      catalog: {
        ...TEST_CATALOG,
        routes: [...TEST_CATALOG.routes, { method: 'GET', path: '/api/v1/sites', function: 'api-health', role: 'none', summary: 'oops' }],
      },
    });
    expect(findings(app)).toEqual([
      expect.stringMatching(/^error AwsSolutions-APIG4 EioStatelessStack\/Http\/Api\/GET--api--v1--sites\/Resource$/),
    ]);
    expect(() => app.synth()).toThrow(/AwsSolutions-APIG4/); // synth itself refuses it
  });
});
