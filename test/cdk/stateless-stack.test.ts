import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { placeholdersIn } from '../../infra/cdk/catalog-checks';
import { API_THROTTLE } from '../../infra/cdk/http-api';
import { FIXTURE_STATE_MACHINES_DIR, TEST_CATALOG } from './fixtures/catalog';
import { actionsOf, getAttTarget, resourcesList, resourcesOf, statementsOf, synthEio, type TestApp } from './synth';

let eio: TestApp;
const fnId = (name: string) => eio.logicalId(eio.stateless.functions[name]!.fn);
const aliasId = (name: string) => eio.logicalId(eio.stateless.canaries.aliases[name]!);
const roleId = (name: string) => eio.logicalId(eio.stateless.functions[name]!.role);
const fnProps = (name: string) => resourcesOf(eio.templates.stateless, 'AWS::Lambda::Function')[fnId(name)]!.Properties;
const statements = (name: string) => statementsOf(resourcesOf(eio.templates.stateless, 'AWS::IAM::Policy'), roleId(name));
const allowedActions = (name: string) => statements(name).flatMap(actionsOf);
/** Export name of a stateful-stack queue as referenced from the stateless stack. */
const importOf = (t: unknown) => (t as { 'Fn::ImportValue': string })['Fn::ImportValue'];

beforeAll(() => {
  eio = synthEio();
});

describe('functions', () => {
  it('creates one function per catalog row: ARM64, Node >= 22, X-Ray, memory and timeout from the spec', () => {
    const functions = resourcesOf(eio.templates.stateless, 'AWS::Lambda::Function');
    // Custom-resource providers (none today) would be the only other functions.
    expect(Object.keys(functions).length).toBe(Object.keys(TEST_CATALOG.functions).length);
    for (const [name, spec] of Object.entries(TEST_CATALOG.functions)) {
      const p = fnProps(name);
      expect(p.Architectures).toEqual(['arm64']);
      expect(Number(String(p.Runtime).match(/^nodejs(\d+)\.x$/)?.[1])).toBeGreaterThanOrEqual(22);
      expect(p.TracingConfig).toEqual({ Mode: 'Active' });
      expect(p.MemorySize).toBe(spec.memoryMb);
      expect(p.Timeout).toBe(spec.timeoutSeconds);
      expect(p.Handler).toBe('index.handler');
      expect(p.ReservedConcurrentExecutions).toBeUndefined();
      expect((p.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref).toBe(eio.logicalId(eio.stateless.functions[name]!.logGroup));
    }
  });

  it('puts exactly the vpc: true functions in the private subnets behind the device security group', () => {
    const privateSubnets = eio.network.vpc.privateSubnets.map((s) => s.subnetId);
    expect(privateSubnets.length).toBeGreaterThan(0);
    for (const [name, spec] of Object.entries(TEST_CATALOG.functions)) {
      const vpcConfig = fnProps(name).VpcConfig as { SubnetIds: unknown[]; SecurityGroupIds: unknown[] } | undefined;
      if (!spec.vpc) {
        expect(vpcConfig, name).toBeUndefined();
        continue;
      }
      expect(vpcConfig, name).toBeDefined();
      expect(JSON.stringify(vpcConfig!.SecurityGroupIds)).toContain('DeviceSecurityGroup');
      expect(vpcConfig!.SubnetIds).toHaveLength(privateSubnets.length);
      for (const subnet of vpcConfig!.SubnetIds) expect(importOf(subnet)).toMatch(/privateSubnet/);
    }
  });

  it('configures every function from the environment shared/config.ts reads', () => {
    for (const [name, spec] of Object.entries(TEST_CATALOG.functions)) {
      const env = (fnProps(name).Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env).toMatchObject({
        EIO_RUNTIME: 'aws',
        EIO_VERSION: '2.0.0',
        SECRETS_PREFIX: 'eio/service-identities/',
        AUTH_ROLE_CLAIM: 'eio_role',
        AUTH_ISSUER: 'https://issuer.example.invalid/',
        AUTH_AUDIENCE: 'eio-api',
      });
      expect(importOf(env.TABLE_NAME)).toMatch(/^EioStatefulStack:.*Table/);
      const queueUrls = JSON.stringify(env.QUEUE_URLS);
      for (const pool of Object.keys(TEST_CATALOG.workerPools)) {
        expect(queueUrls).toContain(`\\"${pool}\\":\\"`);
        expect(queueUrls).toContain(`\\"${pool}-dlq\\":\\"`);
      }
      expect(JSON.stringify(env.STATE_MACHINE_ARNS)).toContain(':stateMachine:eio-probe');
      expect(env.EVENT_SOURCE_MAPPINGS !== undefined, name).toBe(spec.kind === 'api');
    }
  });
});

describe('worker pools', () => {
  it('maps each pool queue to its worker with batch size, clamped max concurrency and partial batch failures', () => {
    const mappings = resourcesOf(eio.templates.stateless, 'AWS::Lambda::EventSourceMapping');
    expect(Object.keys(mappings)).toHaveLength(Object.keys(TEST_CATALOG.workerPools).length);
    for (const [pool, spec] of Object.entries(TEST_CATALOG.workerPools)) {
      const id = eio.stateless.eventSourceMappings[pool];
      const mapping = Object.entries(mappings).find(
        ([logicalId]) => eio.stateless.resolve(id) && JSON.stringify(eio.stateless.resolve(id)) === JSON.stringify({ Ref: logicalId }),
      );
      expect(mapping, pool).toBeDefined();
      const p = mapping![1].Properties;
      // The live alias (`<function name>:live`, the name cut from the alias's ARN), shifted by canary.
      expect(JSON.stringify(p.FunctionName)).toContain(`{"Ref":"${aliasId(spec.function)}"}]}]},":live"`);
      expect(importOf(p.EventSourceArn)).toMatch(new RegExp(`^EioStatefulStack:.*${pool.replace(/-/g, '')}queue`));
      expect(p.BatchSize).toBe(spec.batchSize);
      expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect((p.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency).toBe(Math.max(2, spec.concurrency));
    }
  });

  it('tells API functions the mapping UUIDs and lets them update/get those mappings only', () => {
    const mappingIds = Object.keys(resourcesOf(eio.templates.stateless, 'AWS::Lambda::EventSourceMapping')).sort();
    for (const [name, spec] of Object.entries(TEST_CATALOG.functions)) {
      const esm = statements(name).filter((s) => actionsOf(s).some((a) => a.includes('EventSourceMapping')));
      if (spec.kind !== 'api') {
        expect(esm, name).toEqual([]);
        continue;
      }
      const env = (fnProps(name).Environment as { Variables: Record<string, unknown> }).Variables;
      const refs = [...JSON.stringify(env.EVENT_SOURCE_MAPPINGS).matchAll(/"Ref":"([A-Za-z0-9]+)"/g)].map((m) => m[1]).sort();
      expect(refs).toEqual(mappingIds);
      expect(esm).toHaveLength(1);
      expect(actionsOf(esm[0]!).sort()).toEqual(['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping']);
      const targets = resourcesList(esm[0]!).map((r) => JSON.stringify(r).match(/event-source-mapping:",\{"Ref":"([A-Za-z0-9]+)"/)?.[1]);
      expect(targets.sort()).toEqual(mappingIds);
    }
  });
});

describe('least privilege', () => {
  it('lets API functions read/write the table without Scan; workers and steps may Scan', () => {
    for (const [name, spec] of Object.entries(TEST_CATALOG.functions)) {
      const actions = allowedActions(name);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
      expect(actions.includes('dynamodb:Scan'), name).toBe(spec.kind !== 'api');
      const table = statements(name).find((s) => actionsOf(s).includes('dynamodb:GetItem'))!;
      const resources = JSON.stringify(table.Resource);
      expect(resources).toContain('/index/gsi1');
      expect(resources).toContain('/index/gsi2');
      expect(resources).not.toContain('index/*');
    }
  });

  it('gives secrets to VPC functions only: read for most, stage for the rotation function, manage for the service-identities API', () => {
    for (const [name, spec] of Object.entries(TEST_CATALOG.functions)) {
      const secretStatements = statements(name).filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
      if (!spec.vpc) {
        expect(secretStatements, name).toEqual([]);
        continue;
      }
      expect(secretStatements).toHaveLength(1);
      expect(JSON.stringify(secretStatements[0]!.Resource)).toMatch(/:secret:eio\/service-identities\/\*"\]\]\}$/);
      const rotate = ['DescribeSecret', 'GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage'];
      const expected =
        name === 'api-service-identities'
          ? [...rotate, 'CreateSecret', 'DeleteSecret', 'RestoreSecret', 'RotateSecret'].sort()
          : name === 'secret-rotation'
            ? rotate
            : ['DescribeSecret', 'GetSecretValue'];
      expect(actionsOf(secretStatements[0]!).sort()).toEqual(expected.map((a) => `secretsmanager:${a}`));
    }
  });

  it('lets API and worker functions send to pool queues; steps and invoked functions send nothing but notifications', () => {
    // Every function may queue an operator notification (monitoring.test.ts): not a pool queue.
    const notifications = eio.logicalId(eio.stateless.monitoring.notifications);
    for (const [name, spec] of Object.entries(TEST_CATALOG.functions)) {
      const sends = statements(name).filter(
        (s) => actionsOf(s).includes('sqs:SendMessage') && !JSON.stringify(s.Resource).includes(notifications),
      );
      if (spec.kind === 'step' || spec.kind === 'invoked') {
        expect(sends, name).toEqual([]);
        continue;
      }
      const queues = sends.flatMap(resourcesList).map(importOf);
      expect(queues).toHaveLength(Object.keys(TEST_CATALOG.workerPools).length);
      for (const q of queues) expect(q).not.toMatch(/dlq/);
    }
  });

  it('lets API and worker functions drive executions of EIO state machines only, never *', () => {
    for (const fn of ['api-health', 'worker-ipam']) {
      const own = statements(fn).filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
      const flat = own.flatMap((s) => actionsOf(s).map((a) => [a, JSON.stringify(s.Resource)] as const));
      for (const a of ['StartExecution', 'DescribeStateMachine', 'SendTaskSuccess', 'SendTaskFailure']) {
        expect(flat.find(([x]) => x === `states:${a}`)?.[1], `${fn} ${a}`).toMatch(/:stateMachine:eio-probe"\]\]\}$/);
      }
      for (const a of ['StopExecution', 'DescribeExecution']) {
        expect(flat.find(([x]) => x === `states:${a}`)?.[1], `${fn} ${a}`).toMatch(/:execution:eio-probe:\*"\]\]\}$/);
      }
      for (const [action, resource] of flat) expect(resource, `${fn} ${action}`).not.toBe('"*"');
    }
    expect(allowedActions('step-probe').filter((a) => a.startsWith('states:'))).toEqual([]);
  });
});

describe('workflows', () => {
  it('deploys each ASL file with every task placeholder resolved to its function ARN', () => {
    const machines = resourcesOf(eio.templates.stateless, 'AWS::StepFunctions::StateMachine');
    expect(Object.keys(machines)).toHaveLength(Object.keys(TEST_CATALOG.workflows).length);
    for (const [wf, spec] of Object.entries(TEST_CATALOG.workflows)) {
      const p = machines[eio.logicalId(eio.stateless.workflows[wf]!.stateMachine)]!.Properties;
      expect(p.StateMachineName).toBe(`eio-${wf}`);
      expect(p.StateMachineType).toBe('STANDARD');
      expect(p.DefinitionS3Location).toBeDefined(); // DefinitionBody.fromFile: the file itself is the asset
      const substitutions = p.DefinitionSubstitutions as Record<string, unknown>;
      expect(Object.keys(substitutions).sort()).toEqual(Object.keys(spec.tasks).sort());
      for (const [placeholder, fn] of Object.entries(spec.tasks)) {
        expect(substitutions[placeholder]).toEqual({ 'Fn::GetAtt': [fnId(fn), 'Arn'] });
      }
      // What CloudFormation will deploy: the file with the substitutions applied.
      const asl = readFileSync(join(FIXTURE_STATE_MACHINES_DIR, spec.file), 'utf8');
      const resolved = placeholdersIn(asl).reduce(
        (text, ph) => text.replaceAll(`\${${ph}}`, `arn:aws:lambda:eu-west-1:111111111111:function:${getAttTarget(substitutions[ph])}`),
        asl,
      );
      expect(resolved).not.toContain('${');
      const tasks = Object.values(
        (JSON.parse(resolved) as { States: Record<string, { Type: string; Parameters: { FunctionName: string } }> }).States,
      )
        .filter((s) => s.Type === 'Task')
        .map((s) => s.Parameters.FunctionName);
      expect(tasks.sort()).toEqual(
        Object.values(spec.tasks)
          .map((f) => `arn:aws:lambda:eu-west-1:111111111111:function:${fnId(f)}`)
          .sort(),
      );
    }
  });

  it('logs ALL without execution data, traces, and may invoke only its task functions', () => {
    const t = eio.templates.stateless;
    const sm = eio.stateless.workflows.probe!.stateMachine;
    const p = resourcesOf(t, 'AWS::StepFunctions::StateMachine')[eio.logicalId(sm)]!.Properties;
    expect(p.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(p.TracingConfiguration).toEqual({ Enabled: true });
    const invokes = statementsOf(resourcesOf(t, 'AWS::IAM::Policy'), eio.logicalId(sm.role))
      .filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')))
      .flatMap((s) => {
        expect(actionsOf(s)).toEqual(['lambda:InvokeFunction']);
        return resourcesList(s).map(getAttTarget);
      });
    expect(invokes.sort()).toEqual([fnId('step-probe'), fnId('step-record')].sort());
  });
});

describe('schedules', () => {
  it("sends each row's message, named after the row, to its pool queue with a role that may only SendMessage there", () => {
    const t = eio.templates.stateless;
    const schedules = Object.values(resourcesOf(t, 'AWS::Scheduler::Schedule'));
    const roles = resourcesOf(t, 'AWS::IAM::Role');
    expect(schedules).toHaveLength(Object.keys(TEST_CATALOG.schedules).length);
    for (const [name, spec] of Object.entries(TEST_CATALOG.schedules)) {
      const s = schedules.find((x) => x.Properties.ScheduleExpression === spec.expression)!.Properties;
      const target = s.Target as { Arn: unknown; Input: string; RoleArn: unknown };
      const queueExport = importOf(target.Arn);
      expect(queueExport).toMatch(/^EioStatefulStack:.*queue.*Arn/);
      expect(queueExport.replace(/-/g, '')).toContain(`${spec.pool.replace(/-/g, '')}queue`);
      // Named after its row, so the pool's worker can hold it while the scheduler is paused (scheduled-work.ts).
      expect(JSON.parse(target.Input)).toEqual({ ...spec.message, schedule: name });
      expect(s.State).toBe('ENABLED');
      expect(s.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      const role = roles[getAttTarget(target.RoleArn)!]!.Properties as {
        Policies: { PolicyDocument: { Statement: { Action: string; Resource: unknown }[] } }[];
      };
      const stmts = role.Policies.flatMap((pol) => pol.PolicyDocument.Statement);
      expect(stmts).toEqual([expect.objectContaining({ Action: 'sqs:SendMessage', Resource: target.Arn })]);
    }
  });
});

describe('HTTP API', () => {
  it('has one route per catalog row, to its function, JWT-protected unless the role is none', () => {
    const t = eio.templates.stateless;
    const routes = Object.values(resourcesOf(t, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    const integrations = resourcesOf(t, 'AWS::ApiGatewayV2::Integration');
    const [authorizerId] = Object.keys(resourcesOf(t, 'AWS::ApiGatewayV2::Authorizer'));
    expect(routes).toHaveLength(TEST_CATALOG.routes.length);
    for (const row of TEST_CATALOG.routes) {
      const route = routes.find((r) => r.RouteKey === `${row.method} ${row.path}`);
      expect(route, row.path).toBeDefined();
      const integrationId = JSON.stringify(route!.Target).match(/"Ref":"([A-Za-z0-9]+)"/)?.[1];
      const integration = integrations[integrationId!]!.Properties;
      expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      expect(integration.IntegrationUri).toEqual({ Ref: aliasId(row.function) });
      if (row.role === 'none') {
        expect(route!.AuthorizationType).toBe('NONE');
        expect(route!.AuthorizerId).toBeUndefined();
      } else {
        expect(route!.AuthorizationType).toBe('JWT');
        expect(route!.AuthorizerId).toEqual({ Ref: authorizerId });
      }
    }
    const health = routes.find((r) => r.RouteKey === 'GET /api/v1/health')!;
    expect(health.AuthorizationType).toBe('NONE');
  });

  it('lets API Gateway invoke each routed function through this API only (one permission per function)', () => {
    const t = eio.templates.stateless;
    const apiId = eio.logicalId(eio.stateless.httpApi.api);
    const permissions = Object.values(resourcesOf(t, 'AWS::Lambda::Permission'))
      .map((p) => p.Properties)
      .filter((p) => p.Principal !== 'secretsmanager.amazonaws.com');
    const routed = [...new Set(TEST_CATALOG.routes.map((r) => r.function))];
    expect(permissions.map((p) => (p.FunctionName as { Ref: string }).Ref).sort()).toEqual(routed.map(aliasId).sort());
    for (const p of permissions) {
      expect(p.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(p.SourceArn)).toContain(`{"Ref":"${apiId}"},"/*/*/*"`);
    }
  });

  it('trusts the configured issuer and audience', () => {
    eio.templates.stateless.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://issuer.example.invalid/', Audience: ['eio-api'] },
    });
  });

  it('throttles and writes JSON access logs with the request id and status', () => {
    const [stage] = Object.values(resourcesOf(eio.templates.stateless, 'AWS::ApiGatewayV2::Stage'));
    const p = stage!.Properties as {
      StageName: string;
      DefaultRouteSettings: unknown;
      AccessLogSettings: { Format: string; DestinationArn: unknown };
    };
    expect(p.StageName).toBe('$default');
    expect(p.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: API_THROTTLE.rateLimit, ThrottlingBurstLimit: API_THROTTLE.burstLimit });
    expect(JSON.parse(p.AccessLogSettings.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(getAttTarget(p.AccessLogSettings.DestinationArn)).toBeDefined();
  });

  it('outputs the API URL', () => {
    const outputs = eio.templates.stateless.findOutputs('ApiUrl');
    expect(JSON.stringify(outputs.ApiUrl!.Value)).toContain('execute-api');
  });
});

describe('deploy rollback (canary)', () => {
  const shifted = () => Object.entries(TEST_CATALOG.functions).filter(([, f]) => f.kind === 'api' || f.kind === 'worker');

  it('gives every API and worker function a live alias on its current version, and no other function one', () => {
    const aliases = Object.values(resourcesOf(eio.templates.stateless, 'AWS::Lambda::Alias')).map((a) => a.Properties);
    expect(aliases).toHaveLength(shifted().length);
    for (const [name] of shifted()) {
      const alias = aliases.find((a) => JSON.stringify(a.FunctionName) === JSON.stringify({ Ref: fnId(name) }));
      expect(alias, name).toMatchObject({ Name: 'live' });
      expect(JSON.stringify(alias!.FunctionVersion)).toContain('CurrentVersion');
    }
  });

  it("shifts each alias by the configured canary, rolled back by an alarm on the new version's errors", () => {
    const t = eio.templates.stateless;
    const groups = Object.values(resourcesOf(t, 'AWS::CodeDeploy::DeploymentGroup')).map((g) => g.Properties);
    expect(groups).toHaveLength(shifted().length);
    const alarms = resourcesOf(t, 'AWS::CloudWatch::Alarm');
    for (const g of groups) {
      expect(g.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
      expect(g.AutoRollbackConfiguration).toEqual({
        Enabled: true,
        Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']),
      });
      const [alarm] = (g.AlarmConfiguration as { Alarms: { Name: { Ref: string } }[]; Enabled: boolean }).Alarms;
      const a = alarms[alarm!.Name.Ref]!.Properties;
      expect(a).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 1, EvaluationPeriods: 1 });
      expect(JSON.stringify(a.Dimensions)).toContain('CurrentVersion');
    }
    for (const [name] of shifted()) {
      const updatePolicy = (resourcesOf(t, 'AWS::Lambda::Alias')[aliasId(name)] as { UpdatePolicy?: unknown }).UpdatePolicy;
      expect(JSON.stringify(updatePolicy), name).toContain('CodeDeployLambdaAliasUpdate');
    }
  });

  it('takes another shift from eio:deploymentConfig', () => {
    const linear = synthEio({ settings: { deploymentConfig: 'LINEAR_10PERCENT_EVERY_1MINUTE' } });
    const groups = Object.values(resourcesOf(linear.templates.stateless, 'AWS::CodeDeploy::DeploymentGroup'));
    expect(groups.map((g) => g.Properties.DeploymentConfigName)).toEqual(
      groups.map(() => 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute'),
    );
  });
});

describe("Secrets Manager's rotation function", () => {
  it('may be invoked by Secrets Manager of this account only, in the VPC like the other device-reaching functions', () => {
    const permissions = Object.values(resourcesOf(eio.templates.stateless, 'AWS::Lambda::Permission'))
      .map((p) => p.Properties)
      .filter((p) => p.Principal === 'secretsmanager.amazonaws.com');
    expect(permissions).toHaveLength(1);
    expect(getAttTarget(permissions[0]!.FunctionName)).toBe(fnId('secret-rotation'));
    expect(permissions[0]!.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
    expect(fnProps('secret-rotation').VpcConfig).toBeDefined();
  });

  it('is the rotation schedule the service-identities API puts each iDRAC secret on, every eio:secretRotationDays', () => {
    const env = (fnProps('api-service-identities').Environment as { Variables: Record<string, unknown> }).Variables;
    expect(getAttTarget(env.SECRET_ROTATION_FUNCTION_ARN)).toBe(fnId('secret-rotation'));
    expect(env.SECRET_ROTATION_SCHEDULE).toBe('rate(30 days)');
    const invoke = statements('api-service-identities').filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke.flatMap(resourcesList).map(getAttTarget)).toEqual([fnId('secret-rotation')]);
    expect(allowedActions('api-service-identities')).toContain('secretsmanager:RotateSecret');
    const weekly = synthEio({ settings: { secretRotationDays: 7 } });
    const fn = weekly.stateless.functions['api-service-identities']!.fn;
    const props = resourcesOf(weekly.templates.stateless, 'AWS::Lambda::Function')[weekly.logicalId(fn)]!.Properties;
    expect((props.Environment as { Variables: Record<string, unknown> }).Variables.SECRET_ROTATION_SCHEDULE).toBe('rate(7 days)');
  });
});
