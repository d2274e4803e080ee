import { Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DEVICE_PORTS } from '../../shared/domain/device-ports';
import { DEFAULT_SETTINGS } from './settings';

export type EioNetworkStackProps = StackProps & {
  vpcCidr?: string;
  natGateways?: number;
  /** Networks holding iDRACs and vCenters; ports are restricted always, destinations once this is narrowed. */
  deviceCidrs?: string[];
  /** Managed prefix list of the DynamoDB gateway endpoint, needed once deviceCidrs is narrowed. */
  dynamoDbPrefixListId?: string;
  logRetentionDays?: logs.RetentionDays;
};

/**
 * The VPC the device-reaching functions run in. iDRACs and vCenters are on-prem management networks reached
 * through this VPC: here via private subnets with NAT egress; in real deployments that route is usually a
 * Transit Gateway or Direct Connect attachment added to the private route tables, which this stack leaves
 * to the network team. AWS services are reached through VPC endpoints, never the internet.
 */
export class EioNetworkStack extends Stack {
  readonly vpc: ec2.Vpc;
  /** Attached to every `vpc: true` function. */
  readonly deviceSecurityGroup: ec2.SecurityGroup;
  readonly endpointSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: EioNetworkStackProps = {}) {
    super(scope, id, props);
    const deviceCidrs = props.deviceCidrs ?? DEFAULT_SETTINGS.deviceCidrs;

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetentionDays ?? DEFAULT_SETTINGS.logRetentionDays,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.vpcCidr ?? DEFAULT_SETTINGS.vpcCidr),
      maxAzs: 2,
      // Strip the default security group's allow-all rules: nothing in EIO uses it (CIS EC2.2).
      restrictDefaultSecurityGroup: true,
      natGateways: props.natGateways ?? DEFAULT_SETTINGS.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      flowLogs: {
        all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup), trafficType: ec2.FlowLogTrafficType.ALL },
      },
    });

    this.deviceSecurityGroup = new ec2.SecurityGroup(this, 'DeviceSecurityGroup', {
      vpc: this.vpc,
      allowAllOutbound: false,
      description: 'EIO device-reaching functions: HTTPS/WS-Man to iDRAC and vCenter, HTTPS to AWS endpoints',
    });
    for (const cidr of deviceCidrs) {
      this.deviceSecurityGroup.addEgressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(DEVICE_PORTS.https), 'Redfish and vSphere /sdk (HTTPS)');
      this.deviceSecurityGroup.addEgressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(DEVICE_PORTS.wsman), 'WS-Man over HTTPS (iDRAC7/8)');
    }

    // Interface endpoints accept HTTPS from the device functions only.
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      allowAllOutbound: false,
      description: 'EIO interface VPC endpoints: HTTPS from the device-reaching functions',
    });
    this.endpointSecurityGroup.connections.allowFrom(this.deviceSecurityGroup, ec2.Port.tcp(443), 'AWS APIs over the VPC endpoints');

    const privateSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.vpc.addGatewayEndpoint('DynamoDb', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets: [privateSubnets] });
    const interfaces = {
      Sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      StepFunctions: ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
    };
    for (const [name, service] of Object.entries(interfaces)) {
      this.vpc.addInterfaceEndpoint(name, {
        service,
        subnets: privateSubnets,
        securityGroups: [this.endpointSecurityGroup],
        open: false,
        privateDnsEnabled: true,
      });
    }

    // The DynamoDB gateway endpoint is reached at DynamoDB's public addresses: covered by the HTTPS rule while
    // deviceCidrs includes the internet, otherwise it needs the region's managed prefix list.
    const coversInternet = deviceCidrs.includes('0.0.0.0/0');
    if (props.dynamoDbPrefixListId) {
      this.deviceSecurityGroup.addEgressRule(
        ec2.Peer.prefixList(props.dynamoDbPrefixListId),
        ec2.Port.tcp(443),
        'DynamoDB through the gateway endpoint',
      );
    } else if (!coversInternet) {
      throw new Error(
        'eio:deviceCidrs no longer covers DynamoDB: set eio:dynamoDbPrefixList to the pl-… id of com.amazonaws.<region>.dynamodb',
      );
    }
  }
}
