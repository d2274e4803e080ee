import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError } from '../../shared/domain/errors';
import { runWithContext } from '../../shared/observability/context';
import { createServiceIdentity } from '../../shared/usecases/service-identities';
import { createSite } from '../../shared/usecases/sites';
import type { Deps } from '../../shared/usecases/deps';

/**
 * The runbook's `db/seed` step for the local stack: a lab the runbook's commands can act on as written.
 * Seeded once per data directory (a marker file), so what an operator deletes stays deleted.
 * The vCenter and iDRAC issues add `vc-001` and `idrac-00N` here, backed by their simulators.
 */
export const DEMO_IDRAC_USER = 'root';
// Dell's factory default iDRAC password: what the lab's simulated iDRACs accept, never a real credential.
export const DEMO_IDRAC_PASSWORD = 'calvin';

export async function seedDemoLab(deps: Deps, dataDir: string): Promise<string[]> {
  const marker = join(dataDir, 'demo-seeded');
  if (await access(marker).then(() => true, () => false)) return [];
  const created: string[] = [];
  await runWithContext({ actor: 'demo-seed', correlation_id: 'demo-seed' }, async () => {
    const ignoreExisting = (e: unknown) => {
      if (!(e instanceof ConflictError)) throw e;
    };
    await createSite(
      deps,
      {
        id: 'site-001',
        name: 'Demo lab',
        description: 'Loopback lab seeded by npm start: simulated iDRACs and vCenter live on 127.0.0.0/24',
        management_networks: ['127.0.0.0/24'],
      },
      'demo-seed',
    ).then(() => created.push('site-001'), ignoreExisting);
    await createServiceIdentity(
      deps,
      {
        id: 'si-001',
        name: 'Demo iDRAC service account',
        description: 'Credential of the simulated iDRACs in the demo lab',
        target_kind: 'idrac',
        username: DEMO_IDRAC_USER,
        secret: DEMO_IDRAC_PASSWORD,
      },
      'demo-seed',
    ).then(() => created.push('si-001'), ignoreExisting);
  });
  await writeFile(marker, `${new Date().toISOString()}\n`);
  return created;
}
