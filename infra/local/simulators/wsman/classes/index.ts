import type { SimulatedHost } from '../../state/host';
import type { CimValue } from '../xml';
import { idracCardString } from './idrac-card-string';
import { idracCardView } from './idrac-card-view';
import { lifecycleJobs } from './lifecycle-job';
import { nicView } from './nic-view';
import { softwareIdentity } from './software-identity';
import { systemView } from './system-view';

export type ClassProvider = (host: SimulatedHost) => Array<Record<string, CimValue>>;

/** The DCIM classes this simulator enumerates, by class name. */
export const CLASSES: Record<string, ClassProvider> = {
  DCIM_SystemView: systemView,
  DCIM_iDRACCardView: idracCardView,
  DCIM_iDRACCardString: idracCardString,
  DCIM_SoftwareIdentity: softwareIdentity,
  DCIM_NICView: nicView,
  DCIM_LifecycleJob: lifecycleJobs,
};

// Dell documents its classes under schemas.dell.com; some Dell scripts use the dmtf.org form. Both resolve.
const RESOURCE_URI = /^http:\/\/schemas\.(?:dell\.com|dmtf\.org)\/wbem\/wscim\/1\/cim-schema\/2\/(?:root\/dcim\/)?(\w+)$/;

export function classForResourceUri(resourceUri: string | undefined): { name: string; provider: ClassProvider } | undefined {
  const name = resourceUri ? RESOURCE_URI.exec(resourceUri)?.[1] : undefined;
  const provider = name ? CLASSES[name] : undefined;
  return name && provider ? { name, provider } : undefined;
}
