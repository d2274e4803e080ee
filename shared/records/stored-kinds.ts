/**
 * Every record kind kept as an Entity (its own gsi1 partition, `KIND#<kind>`, and a schema version), for the
 * record migration (usecases/record-migration.ts). A new Entity kind is added here, or its old shapes are never
 * rewritten; `test/unit/record-migration.test.ts` fails on an Entity exported from shared/records/ but missing.
 */
import { approvals, policies } from './approvals';
import { credentialRotations } from './credential-rotations';
import { dellEndpoints, discoveryRuns } from './dell-endpoints';
import type { Entity, Versioned } from './entity';
import { firmwareBaselines } from './firmware-baselines';
import { firmwareRollouts, firmwareTargets } from './firmware-targets';
import { healthLevels } from './health-alerts';
import { hostLocks } from './host-locks';
import { idracJobs } from './idrac-jobs';
import { ipExceptions } from './ipam-exceptions';
import { ipAllocations, ipPrefixes } from './ipam-plan';
import { jobs } from './jobs';
import { maintenanceHosts } from './maintenance-hosts';
import { serviceIdentities } from './service-identities';
import { sites } from './sites';
import { switches } from './switches';
import { upstreamBreakers } from './upstream-breakers';
import { syncRuns, vcenterInstances } from './vcenter';

export const STORED_KINDS: readonly Entity<Versioned>[] = [
  sites,
  serviceIdentities,
  credentialRotations,
  dellEndpoints,
  discoveryRuns,
  vcenterInstances,
  syncRuns,
  jobs,
  approvals,
  policies,
  maintenanceHosts,
  hostLocks,
  idracJobs,
  firmwareBaselines,
  firmwareTargets,
  firmwareRollouts,
  ipPrefixes,
  ipAllocations,
  ipExceptions,
  switches,
  upstreamBreakers,
  healthLevels,
] as unknown as readonly Entity<Versioned>[];
