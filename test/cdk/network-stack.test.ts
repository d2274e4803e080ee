import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EioNetworkStack } from '../../infra/cdk/network-stack';
import { resourcesOf, synthEio, type TestApp } from './synth';

type Rule = {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  CidrIp?: string;
  DestinationSecurityGroupId?: unknown;
  DestinationPrefixListId?: string;
};

/** Every egress rule of a security group: inline ones and separate AWS::EC2::SecurityGroupEgress resources. */
function egressRules(t: Template, sgLogicalId: string): Rule[] {
  const sg = resourcesOf(t, 'AWS::EC2::SecurityGroup')[sgLogicalId]!;
  const inline = (sg.Properties.SecurityGroupEgress ?? []) as Rule[];
  const separate = Object.values(resourcesOf(t, 'AWS::EC2::SecurityGroupEgress'))
    .filter((r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [sgLogicalId, 'GroupId'] }))
    .map((r) => r.Properties as Rule);
  return [...inline, ...separate];
}

let eio: TestApp;
beforeAll(() => {
  eio = synthEio();
});

describe('EioNetworkStack', () => {
  it('lets device-reaching functions out on 443 and 5986 only, plus HTTPS to the endpoint security group', () => {
    const t = eio.templates.network;
    const rules = egressRules(t, eio.logicalId(eio.network.deviceSecurityGroup));
    const endpointSg = { 'Fn::GetAtt': [eio.logicalId(eio.network.endpointSecurityGroup), 'GroupId'] };
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      expect(r.IpProtocol).toBe('tcp');
      expect(r.FromPort).toBe(r.ToPort);
      expect([443, 5986]).toContain(r.FromPort);
    }
    expect(
      rules
        .filter((r) => r.CidrIp === '0.0.0.0/0')
        .map((r) => r.FromPort)
        .sort(),
    ).toEqual([443, 5986]);
    expect(rules.filter((r) => r.DestinationSecurityGroupId).map((r) => [r.FromPort, r.DestinationSecurityGroupId])).toEqual([
      [443, endpointSg],
    ]);
    const sg = resourcesOf(t, 'AWS::EC2::SecurityGroup')[eio.logicalId(eio.network.deviceSecurityGroup)]!;
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
  });

  it('opens the interface endpoints to the device security group only, on 443', () => {
    const ingress = Object.values(resourcesOf(eio.templates.network, 'AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(ingress).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        GroupId: { 'Fn::GetAtt': [eio.logicalId(eio.network.endpointSecurityGroup), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [eio.logicalId(eio.network.deviceSecurityGroup), 'GroupId'] },
      }),
    ]);
  });

  it('has DynamoDB as a gateway endpoint and SQS, Secrets Manager, Step Functions as private-DNS interface endpoints', () => {
    const endpoints = Object.values(resourcesOf(eio.templates.network, 'AWS::EC2::VPCEndpoint')).map((e) => ({
      service: JSON.stringify(e.Properties.ServiceName).match(/\.([a-z]+)"\]\]\}$/)?.[1],
      type: e.Properties.VpcEndpointType,
      privateDns: e.Properties.PrivateDnsEnabled,
    }));
    expect(endpoints.sort((a, b) => String(a.service).localeCompare(String(b.service)))).toEqual([
      { service: 'dynamodb', type: 'Gateway', privateDns: undefined },
      { service: 'secretsmanager', type: 'Interface', privateDns: true },
      { service: 'sqs', type: 'Interface', privateDns: true },
      { service: 'states', type: 'Interface', privateDns: true },
    ]);
  });

  it('routes private subnets to the internet through NAT and logs all VPC flows', () => {
    const t = eio.templates.network;
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
    const natRoutes = Object.values(resourcesOf(t, 'AWS::EC2::Route')).filter((r) => r.Properties.NatGatewayId);
    expect(natRoutes.length).toBe(eio.network.vpc.privateSubnets.length);
    t.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      ResourceId: { Ref: eio.logicalId(eio.network.vpc) },
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
  });

  it('requires the DynamoDB prefix list once device CIDRs no longer cover the internet', () => {
    expect(() => new EioNetworkStack(new App(), 'N', { deviceCidrs: ['10.0.0.0/8'] })).toThrow(/eio:dynamoDbPrefixList/);
    const stack = new EioNetworkStack(new App(), 'N', { deviceCidrs: ['10.0.0.0/8'], dynamoDbPrefixListId: 'pl-02cd2c6b' });
    const t = Template.fromStack(stack);
    const rules = egressRules(t, stack.getLogicalId(stack.deviceSecurityGroup.node.defaultChild as never));
    expect(rules.filter((r) => r.CidrIp).map((r) => [r.CidrIp, r.FromPort])).toEqual([
      ['10.0.0.0/8', 443],
      ['10.0.0.0/8', 5986],
    ]);
    expect(rules.filter((r) => r.DestinationPrefixListId).map((r) => [r.DestinationPrefixListId, r.FromPort])).toEqual([
      ['pl-02cd2c6b', 443],
    ]);
  });
});
