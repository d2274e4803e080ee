/**
 * The device-facing ports the AWS network stack opens in the device functions' security group (HTTPS for
 * Redfish and vSphere /sdk, WS-Man over HTTPS), and the rule that keeps configuration inside them: in AWS a
 * Redfish or WS-Man port outside these is refused where it is set, with the reason, instead of being silently
 * blocked by the security group at the first probe. The local stack (simulators on 8443 …) takes any port.
 */
import { ValidationError } from './errors';

export const DEVICE_PORTS = { https: 443, wsman: 5986 } as const;
const OPEN: readonly number[] = Object.values(DEVICE_PORTS);

/** 400 naming each `body.<field>` whose port the AWS security group does not open. */
export function assertDevicePortsOpen(ports: Partial<Record<'redfish_port' | 'wsman_port', number | null>>): void {
  const problems = Object.entries(ports)
    .filter(([, port]) => typeof port === 'number' && !OPEN.includes(port))
    .map(([field, port]) => ({
      path: `body.${field}`,
      message:
        `port ${port} is not open to devices in this AWS deployment: the device security group allows only ` +
        `${OPEN.join(' and ')} (infra/cdk/network-stack.ts); use those, or reach the device through a proxy on them`,
    }));
  if (problems.length) throw new ValidationError(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
}
