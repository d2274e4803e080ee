/**
 * The demo lab's vCenter: vcsim (built by `bash scripts/vcsim/build.sh`) on a fixed loopback port, registered
 * once as `vc-001` with its own vcenter service identity. vcsim makes a new certificate at every start, so
 * each start refreshes vc-001's CA (only while vc-001 still points at the demo vcsim). Until the demo's vc-001
 * has synced once, a start requests a full sync, so the runbook finds its hosts and VMs without asking first
 * (and its own sync request joins that run). With the demo iDRACs running, vc-001 is reached through
 * demo-vcenter-front.ts (on the demo port, its own certificate kept under the data directory), which makes
 * each host its iDRAC's server: its service tag, and not connected while that server reboots.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConflictError } from '../../shared/domain/errors';
import { runWithContext } from '../../shared/observability/context';
import { logger } from '../../shared/observability/logger';
import { vcenterInstances } from '../../shared/records/vcenter';
import type { Deps } from '../../shared/usecases/deps';
import { createServiceIdentity } from '../../shared/usecases/service-identities';
import { createVcenterInstance, updateVcenterInstance } from '../../shared/usecases/vcenter-instances';
import { requestSync } from '../../shared/usecases/vcenter-sync-requests';
import { type DemoVcenterFront, startDemoVcenterFront } from './demo-vcenter-front';
import { CertificateStore, type SimulatorFleet } from './simulators';

/** The vcsim binary that `bash scripts/vcsim/build.sh` builds. */
export const VCSIM_BINARY = resolve(fileURLToPath(new URL('../../.tools/vcsim/vcsim', import.meta.url)));
export const VCSIM_BUILD_COMMAND = 'bash scripts/vcsim/build.sh';
export const DEMO_VCENTER = { port: 8989, user: 'eio-demo', password: 'vcsim-demo-1' };

/** The demo datacenter: two clusters of three hosts and one standalone host, each host a demo iDRAC's server. */
export const DEMO_TOPOLOGY = { clusters: 2, hostsPerCluster: 3, standalone: 1 } as const;

/** The names vcsim gives the demo hosts, cluster hosts first (DC0_C0_H0…), then the standalone ones (DC0_H0…). */
export function demoHostNames(): string[] {
  const names: string[] = [];
  for (let c = 0; c < DEMO_TOPOLOGY.clusters; c++) for (let h = 0; h < DEMO_TOPOLOGY.hostsPerCluster; h++) names.push(`DC0_C${c}_H${h}`);
  for (let h = 0; h < DEMO_TOPOLOGY.standalone; h++) names.push(`DC0_H${h}`);
  return names;
}

// RFC 4122 name space for ISO OIDs, which vcsim names its objects' UUIDs in.
const OID_NAMESPACE = Buffer.from('6ba7b8129dad11d180b400c04fd430c8', 'hex');

/**
 * The SMBIOS UUID vcsim reports for a host (`hardware.systemInfo.uuid`): a name-based UUID (version 5, OID
 * name space) of its name. The demo iDRACs take these, so each vCenter host is an iDRAC's server. (vcsim
 * reports one fixed service tag for every host, so the system UUID is what pairs them.)
 */
export function vcsimHostUuid(name: string): string {
  const hash = createHash('sha1').update(OID_NAMESPACE).update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type DemoVcenter = { url: string; seeded: string[]; stop(): Promise<void> };

export async function startDemoVcenter(
  deps: Deps,
  dataDir: string,
  options: { port?: number; binary?: string; idracs?: SimulatorFleet } = {},
): Promise<DemoVcenter | { missing: string }> {
  const binary = options.binary ?? VCSIM_BINARY;
  if (!existsSync(binary))
    return {
      missing: `vcsim is not built, so the demo lab has no vc-001; run \`${VCSIM_BUILD_COMMAND}\` (about a minute) and start again`,
    };
  const port = options.port ?? DEMO_VCENTER.port;
  // With the demo iDRACs, the front takes the demo port and vcsim a free one behind it.
  const vcsimPort = options.idracs ? 0 : port;
  const dir = join(dataDir, 'vcsim');
  await mkdir(dir, { recursive: true });
  const certFile = join(dir, 'cert.pem');
  const child = spawn(
    binary,
    [
      '-dc=1',
      `-cluster=${DEMO_TOPOLOGY.clusters}`,
      `-host=${DEMO_TOPOLOGY.hostsPerCluster}`,
      '-vm=2',
      `-standalone=${DEMO_TOPOLOGY.standalone}`,
      // Like a production cluster: DRS evacuates what can move, and one VM (a host CD-ROM connected) cannot,
      // so an evacuation plan for its host names a blocking VM, as the runbook's paused-job procedure expects.
      '-drs=fullyAutomated',
      '-pinned-vm=cdrom',
      `-listen=127.0.0.1:${vcsimPort}`,
      `-user=${DEMO_VCENTER.user}`,
      `-pass=${DEMO_VCENTER.password}`,
      `-cert-out=${certFile}`,
    ],
    { env: { ...process.env, TMPDIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  let front: DemoVcenterFront | undefined;
  const stop = async () => {
    await front?.stop();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  let url: string;
  let certPem: string;
  try {
    url = await ready(child, 60_000);
    certPem = await readFile(certFile, 'utf8');
    if (options.idracs) {
      const fleet = options.idracs;
      const certificate = await new CertificateStore(join(dataDir, 'demo-vcenter-front')).get('demo-vcenter', {
        subject: { commonName: 'demo-vcenter', organization: 'EIO demo lab' },
        ipAddresses: ['127.0.0.1'],
      });
      front = await startDemoVcenterFront({ port, certificate, upstream: url, upstreamCa: certPem, serverOf: serverOf(fleet) });
      url = front.url;
      certPem = certificate.certPem;
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const seeded: string[] = [];
  const seeding = runWithContext({ actor: 'demo-seed', correlation_id: 'demo-seed' }, async () => {
    const marker = join(dataDir, 'demo-vcenter-seeded');
    if (
      !(await access(marker).then(
        () => true,
        () => false,
      ))
    ) {
      const ignoreExisting = (e: unknown) => {
        if (!(e instanceof ConflictError)) throw e;
      };
      await createServiceIdentity(
        deps,
        {
          id: 'si-vc-001',
          name: 'Demo vCenter service account',
          description: 'Account of the demo lab vcsim',
          target_kind: 'vcenter',
          username: DEMO_VCENTER.user,
          secret: DEMO_VCENTER.password,
        },
        'demo-seed',
      ).then(() => seeded.push('si-vc-001'), ignoreExisting);
      await createVcenterInstance(
        deps,
        {
          id: 'vc-001',
          name: 'Demo vCenter (vcsim)',
          description: 'vcsim started by npm start',
          url,
          site_id: 'site-001',
          service_identity_id: 'si-vc-001',
          tls: { ca_pem: certPem },
        },
        'demo-seed',
      ).then(() => seeded.push('vc-001'), ignoreExisting);
      await writeFile(marker, `${new Date().toISOString()}\n`);
    } else {
      // Still the demo's own vc-001 (not re-pointed by the operator): follow vcsim's new certificate and port.
      const vc = await vcenterInstances.find(deps.store, 'vc-001');
      if (
        vc &&
        vc.created_by === 'demo-seed' &&
        new URL(vc.url).hostname === '127.0.0.1' &&
        'ca_pem' in vc.tls &&
        (vc.tls.ca_pem !== certPem || vc.url !== url)
      )
        await updateVcenterInstance(deps, 'vc-001', { url, tls: { ca_pem: certPem } });
    }
  });
  // A lab the operator changed (site-001 deleted, say) still starts; it just lacks the demo vc-001.
  await seeding.catch((e: unknown) => logger.warn('Demo vc-001 was not registered', { error: e as Error }));
  await runWithContext({ actor: 'demo-seed', correlation_id: 'demo-seed' }, () => syncUntilSynced(deps)).catch((e: unknown) =>
    logger.warn('Demo vc-001 sync was not requested', { error: e as Error }),
  );
  return { url, seeded, stop };
}

/** The demo iDRAC whose server a vCenter host is (same index as demoHostNames), as the front reads it. */
function serverOf(fleet: SimulatorFleet) {
  const names = demoHostNames();
  return (hostName: string) => {
    const index = names.indexOf(hostName);
    if (index < 0 || index >= fleet.size) return undefined;
    const endpoint = fleet.endpoint(index);
    return { serviceTag: endpoint.identity.serviceTag, on: endpoint.power === 'On' };
  };
}

/** A full sync of the demo's own vc-001 while it has never synced successfully; a synced lab is left to the schedules. */
async function syncUntilSynced(deps: Deps): Promise<void> {
  const vc = await vcenterInstances.find(deps.store, 'vc-001');
  if (vc?.created_by !== 'demo-seed' || vc.last_successful_sync_at) return;
  const [requested] = await requestSync(deps, { instance_ids: ['vc-001'], sync_type: 'full' }, 'demo-seed');
  logger.info('Demo vc-001 full sync requested', { sync_run_id: requested!.run.id, joined: requested!.coalesced });
}

/** Resolves with the SDK URL once vcsim prints its ready line. */
function ready(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`vcsim did not start within ${timeoutMs} ms: ${err.slice(-500)}`)), timeoutMs);
    child.stderr!.on('data', (c: Buffer) => {
      err = (err + c.toString('utf8')).slice(-4000);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      fail(new Error(`vcsim exited (code ${code}) before it was ready: ${err.slice(-500)}`));
    });
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const govc = /export GOVC_URL=(\S+)/.exec(out);
      if (govc && /# vcsim ready/.test(out)) {
        clearTimeout(timer);
        const u = new URL(govc[1]!);
        logger.info('Demo vcsim ready', { pid: child.pid, port: u.port });
        done(`https://127.0.0.1:${u.port}/sdk`);
      }
    });
  });
}
