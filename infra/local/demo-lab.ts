/**
 * The runbook's `db/seed` step for the local stack: a lab the runbook's commands can act on as written.
 * Seeded once per data directory (a marker file), so what an operator deletes stays deleted. The demo
 * iDRACs are a SimulatorFleet started with the stack (every start, same identities and certificates, kept
 * under the data directory), registered once as `idrac-001…` pinned to their thumbprints; the demo vCenter,
 * `vc-001`, is demo-vcenter.ts. There is one iDRAC per demo vCenter host, carrying that host's system UUID,
 * so the firmware and power flows run end to end on `npm start`.
 */
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError } from '../../shared/domain/errors';
import { runWithContext } from '../../shared/observability/context';
import { logger } from '../../shared/observability/logger';
import { createDellEndpoint, refreshDellEndpoint } from '../../shared/usecases/dell-endpoints';
import type { Deps } from '../../shared/usecases/deps';
import { createServiceIdentity } from '../../shared/usecases/service-identities';
import { createSite } from '../../shared/usecases/sites';
import { keepDemoPasswords } from './demo-idrac-passwords';
import { demoHostNames, vcsimHostUuid } from './demo-vcenter';
import { SimulatorFleet } from './simulators';

export type DemoIdracOptions = { count: number; baseAddress: string; ports: { https: number; wsman: number } };
/** One iDRAC per demo vCenter host (demo-vcenter.ts DEMO_TOPOLOGY): 7 on 127.0.0.11–17. */
export const DEMO_IDRACS: DemoIdracOptions = {
  count: demoHostNames().length,
  baseAddress: '127.0.0.11',
  ports: { https: 8443, wsman: 5986 },
};

/** The demo vCenter host whose server the demo iDRAC at this index manages (undefined past the demo hosts). */
const demoHostOf = (index: number): string | undefined => demoHostNames()[index];

export async function startDemoIdracs(dataDir: string, options: Partial<DemoIdracOptions> = {}): Promise<SimulatorFleet> {
  const o = { ...DEMO_IDRACS, ...options };
  const fleet = await SimulatorFleet.start({
    count: o.count,
    baseAddress: o.baseAddress,
    ports: o.ports,
    seed: 'eio-demo-lab',
    certDir: join(dataDir, 'idrac-simulator-certs'),
    credentials: { username: DEMO_IDRAC_USER, password: DEMO_IDRAC_PASSWORD },
    speed: 10,
    // The last one is an iDRAC8 (Redfish 1.4 and WS-Man), the others iDRAC9s.
    generation: (i) => (i === o.count - 1 && o.count > 1 ? 'idrac8' : 'idrac9'),
    // Each server is a demo vCenter host: the same SMBIOS UUID as vcsim reports for it.
    endpoint: (i) => {
      const host = demoHostOf(i);
      return host ? { systemUuid: vcsimHostUuid(host) } : {};
    },
  });
  await keepDemoPasswords(fleet, join(dataDir, 'idrac-simulator-certs', 'passwords.json'));
  return fleet;
}

/** Every demo iDRAC shares the fleet's fixed ports; iDRAC9s simply have nothing on the WS-Man one. */
const demoWsmanPort = (fleet: SimulatorFleet) => fleet.info().find((i) => i.ports.wsman)?.ports.wsman ?? DEMO_IDRACS.ports.wsman;

export const DEMO_IDRAC_USER = 'root';
// Dell's factory default iDRAC password: what the lab's simulated iDRACs accept, never a real credential.
export const DEMO_IDRAC_PASSWORD = 'calvin';

export async function seedDemoLab(deps: Deps, dataDir: string, idracs?: SimulatorFleet): Promise<string[]> {
  const marker = join(dataDir, 'demo-seeded');
  if (
    await access(marker).then(
      () => true,
      () => false,
    )
  )
    return [];
  const created: string[] = [];
  await runWithContext({ actor: 'demo-seed', correlation_id: 'demo-seed' }, async () => {
    const ignoreExisting = (e: unknown) => {
      if (!(e instanceof ConflictError)) throw e;
    };
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
    await createSite(
      deps,
      {
        id: 'site-001',
        name: 'Demo lab',
        description: 'Loopback lab seeded by npm start: simulated iDRACs and vCenter live on 127.0.0.0/24',
        management_networks: ['127.0.0.0/24'],
        idrac_service_identity_id: 'si-001',
        trust_on_first_use: false,
        ...(idracs ? { redfish_port: idracs.info()[0]!.ports.https, wsman_port: demoWsmanPort(idracs) } : {}),
      },
      'demo-seed',
    ).then(() => created.push('site-001'), ignoreExisting);
    for (const [i, sim] of (idracs?.info() ?? []).entries()) {
      const id = `idrac-${String(i + 1).padStart(3, '0')}`;
      await createDellEndpoint(
        deps,
        {
          id,
          address: sim.address,
          site_id: 'site-001',
          redfish_port: sim.ports.https,
          wsman_port: demoWsmanPort(idracs!),
          tls: { pinned_thumbprint: sim.certificate.thumbprint, insecure: false, legacy: false },
          // Recorded only when the simulators were started outside 127.0.0.0/24 (tests give them ranges of their own).
          outside_site_networks: { reason: "the demo lab's own simulated iDRAC" },
        },
        'demo-seed',
        'demo-seed',
      ).then(async () => {
        created.push(id);
        await refreshDellEndpoint(deps, id, 'demo-seed').catch((e: unknown) =>
          logger.warn('Demo iDRAC refresh failed', { id, error: e as Error }),
        );
      }, ignoreExisting);
    }
  });
  await writeFile(marker, `${new Date().toISOString()}\n`);
  return created;
}
