import { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, PLACEHOLDER_JWT_ISSUER, settingsFromContext } from '../../infra/cdk/settings';

const fromContext = (context: Record<string, unknown>) => settingsFromContext(new App({ context }).node);

describe('settingsFromContext', () => {
  it('works offline with no context, flagging the placeholder issuer', () => {
    const s = fromContext({});
    expect(s).toEqual(DEFAULT_SETTINGS);
    expect(s.jwtIssuer).toBe(PLACEHOLDER_JWT_ISSUER);
    expect(s.jwtIssuerIsPlaceholder).toBe(true);
    expect(s.version).toBe('2.0.0'); // package.json
  });

  it('reads every eio: key (strings as given on the cdk command line)', () => {
    const s = fromContext({
      'eio:jwtIssuer': 'https://login.example.com/tenant/',
      'eio:jwtAudience': 'api://eio',
      'eio:authRoleClaim': 'cognito:groups',
      'eio:maxTokenHours': '8',
      'eio:version': '2.0.0+abc123',
      'eio:vpcCidr': '10.90.0.0/16',
      'eio:natGateways': '2',
      'eio:deviceCidrs': '10.10.0.0/16, 172.16.0.0/12',
      'eio:dynamoDbPrefixList': 'pl-02cd2c6b',
      'eio:logRetentionDays': '365',
      'eio:notifyEmails': 'platform@example.com,infra@example.com',
      'eio:deploymentConfig': 'ALL_AT_ONCE',
      'eio:secretRotationDays': '14',
    });
    expect(s).toEqual({
      jwtIssuer: 'https://login.example.com/tenant/',
      jwtAudience: 'api://eio',
      authRoleClaim: 'cognito:groups',
      maxTokenHours: 8,
      version: '2.0.0+abc123',
      vpcCidr: '10.90.0.0/16',
      natGateways: 2,
      deviceCidrs: ['10.10.0.0/16', '172.16.0.0/12'],
      dynamoDbPrefixListId: 'pl-02cd2c6b',
      logRetentionDays: RetentionDays.ONE_YEAR,
      notifyEmails: ['platform@example.com', 'infra@example.com'],
      deploymentConfig: 'ALL_AT_ONCE',
      secretRotationDays: 14,
      jwtIssuerIsPlaceholder: false,
    });
  });

  it('accepts device CIDRs as a JSON array (cdk.json) too', () => {
    expect(fromContext({ 'eio:deviceCidrs': ['10.0.0.0/8'] }).deviceCidrs).toEqual(['10.0.0.0/8']);
    expect(fromContext({ 'eio:deviceCidrs': '["10.0.0.0/8"]' }).deviceCidrs).toEqual(['10.0.0.0/8']);
  });

  it('rejects values CloudFormation would reject later', () => {
    expect(() => fromContext({ 'eio:logRetentionDays': '45' })).toThrow(/not a CloudWatch Logs retention period/);
    expect(() => fromContext({ 'eio:natGateways': 'two' })).toThrow(/eio:natGateways/);
    expect(() => fromContext({ 'eio:deploymentConfig': 'CANARY_50PERCENT' })).toThrow(/eio:deploymentConfig must be one of/);
    expect(() => fromContext({ 'eio:secretRotationDays': '0' })).toThrow(/eio:secretRotationDays/);
  });
});
