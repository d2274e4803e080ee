import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CatalogRoute } from './catalog';
import { acknowledge } from './nag';

/** Stage-wide limits: generous for operators and CI, low enough that a runaway script cannot drain Lambda. */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/**
 * Why each unauthenticated route may be public. A new `role: 'none'` row without an entry here keeps its
 * cdk-nag APIG4 error, so opening a route to anonymous callers always comes with a written reason.
 */
export const PUBLIC_ROUTE_REASONS: Readonly<Record<string, string>> = {
  'GET /api/v1/health':
    'EIO liveness endpoint: load balancers, uptime monitors and the runbook call it without a token; ' +
    'it returns component status only, never inventory, hostnames or credentials.',
};

export type EioHttpApiProps = {
  routes: readonly CatalogRoute[];
  functions: Readonly<Record<string, lambda.IFunction>>;
  jwtIssuer: string;
  jwtAudience: string;
  logRetention: logs.RetentionDays;
};

// HTTP API access log: one JSON object per request, keyed by the request id the API returns to callers.
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  status: '$context.status',
  routeKey: '$context.routeKey',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  sub: '$context.authorizer.claims.sub',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
});

/**
 * The HTTP API: one route per ROUTES row to its function (payload format 2.0). Every route except those
 * with role 'none' requires a JWT from the configured issuer and audience; the handler then checks the
 * caller's role against the same row.
 */
export class EioHttpApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;

  constructor(scope: Construct, id: string, props: EioHttpApiProps) {
    super(scope, id);
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: 'eio',
      description: 'EIO v2 API',
      createDefaultStage: false, // the stage below carries throttling and access logs
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });

    const jwt = new HttpJwtAuthorizer('EioJwt', props.jwtIssuer, {
      authorizerName: 'eio-jwt',
      jwtAudience: [props.jwtAudience],
      identitySource: ['$request.header.Authorization'],
    });
    const none = new apigwv2.HttpNoneAuthorizer();

    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationFor = (name: string): HttpLambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        const fn = props.functions[name];
        if (!fn) throw new Error(`route function ${name} does not exist`);
        integration = new HttpLambdaIntegration(`${name}-integration`, fn, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
          // One API-scoped permission per function instead of one per route: each costs ~300 bytes of the
          // 20 KB Lambda resource policy, and functions serving many routes would hit that limit.
          scopePermissionToRoute: false,
        });
        integrations.set(name, integration);
      }
      return integration;
    };

    for (const route of props.routes) {
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: integrationFor(route.function),
        authorizer: route.role === 'none' ? none : jwt,
      });
      const publicReason = PUBLIC_ROUTE_REASONS[`${route.method} ${route.path}`];
      if (route.role === 'none' && publicReason && created) {
        acknowledge(created, 'AwsSolutions-APIG4', publicReason);
      }
    }
  }

  /** Base URL of the API (the $default stage). */
  get url(): string {
    return this.stage.url;
  }
}
