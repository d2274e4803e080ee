import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The vCenter tier: test files that need vcsim (the vSphere API simulator built by scripts/vcsim/build.sh).
 * `.ci/run` builds it, so CI always runs them; on a machine where it cannot be built (no apt-get, no sudo)
 * vitest leaves these files out and says so loudly (see vcsim-tier-banner.ts). A unit test keeps this list
 * complete.
 */
export const VCSIM_TIER = [
  'test/integration/vcenter.test.ts',
  'test/integration/vcenter-resilience.test.ts',
  'test/integration/vcenter-demo-lab.test.ts',
  'test/integration/host-maintenance.test.ts',
  'test/integration/execution-data.test.ts',
  'test/integration/host-maintenance-approval.test.ts',
  'test/integration/host-maintenance-crash.test.ts',
  'test/integration/host-maintenance-rollout.test.ts',
  'test/integration/ipam.test.ts',
  'test/integration/host-idrac-link.test.ts',
  'test/vsphere/vcsim-support.test.ts',
  'test/vsphere/failures.test.ts',
  'test/vsphere/tls.test.ts',
  'test/vsphere/session.test.ts',
  'test/vsphere/retrieval.test.ts',
  'test/vsphere/updates.test.ts',
  'test/vsphere/operations.test.ts',
  'test/vsphere/maintenance.test.ts',
  'test/vsphere/migration.test.ts',
  'test/vsphere/task-waits.test.ts',
  'test/vsphere/host-reads.test.ts',
  'test/vsphere/inventory-read.test.ts',
];

export const VCSIM_ENABLE_COMMAND = 'bash scripts/vcsim/build.sh';
export const vcsimBuilt = () => existsSync(fileURLToPath(new URL('../../.tools/vcsim/vcsim', import.meta.url)));
