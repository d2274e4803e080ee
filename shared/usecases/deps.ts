import type { Backups } from '../ports/backups';
import type { Clock } from '../ports/clock';
import type { CredentialVerifiers } from '../ports/credential-verifier';
import type { Idrac } from '../ports/idrac';
import type { Notifier } from '../ports/notifier';
import type { Queue } from '../ports/queue';
import type { Secrets } from '../ports/secrets';
import type { Store } from '../ports/store';
import type { VCenter } from '../ports/vcenter';
import type { WorkerPools } from '../ports/worker-pools';
import type { Workflows } from '../ports/workflows';

/** Everything a use case may need, built once per container by shared/container.ts (or a test). */
export type Deps = {
  store: Store;
  queue: Queue;
  workflows: Workflows;
  secrets: Secrets;
  workerPools: WorkerPools;
  verifiers: CredentialVerifiers;
  /** The container's iDRAC client: its pools, breakers and learned certificates live as long as the container. */
  idrac: Idrac;
  /** This container's vCenter clients, one per instance. */
  vcenter: VCenter;
  clock: Clock;
  /** Operator notifications (SNS topic in AWS, a signed webhook locally); absent where nothing is delivered but the log. */
  notifier?: Notifier;
  /** Recovery points of EIO's data (GET /api/v1/system/backups); absent in a function container thread, which never reports them. */
  backups?: Backups;
  /** Extra health probes an adapter contributes (e.g. the local workflow engine), keyed by component name. */
  probes: Record<string, () => Promise<import('../domain/health').ComponentHealth>>;
  startedAt: number;
};
