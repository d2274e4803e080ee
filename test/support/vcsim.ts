import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

/**
 * Built by scripts/vcsim/build.sh from Debian's govmomi; gitignored. EIO_VCSIM_BINARY names another build, for
 * a worktree that shares `.tools` with others working on vcsim's sources at the same time.
 */
export const VCSIM_BINARY = process.env.EIO_VCSIM_BINARY ?? resolve(fileURLToPath(new URL('../../.tools/vcsim/vcsim', import.meta.url)));
export const VCSIM_BUILD_HINT =
  'run `bash scripts/vcsim/build.sh` (installs golang-go and golang-github-vmware-govmomi-dev with apt-get, ' +
  'builds .tools/vcsim/vcsim; about a minute the first time)';

export interface VcsimOptions {
  datacenters?: number;
  clusters?: number;
  hostsPerCluster?: number;
  /** VMs per cluster host: each cluster holds vmsPerHost × hostsPerCluster VMs, placed by vcsim. */
  vmsPerHost?: number;
  /** Exactly vmsPerHost VMs on each cluster host, instead of vcsim's random placement. */
  spreadVms?: boolean;
  /** How often a waiting WaitForUpdatesEx looks for changes (vcsim's own: 250 ms). */
  updateIntervalMs?: number;
  /** Standalone hosts per datacenter; vcsim fills each with as many VMs as a cluster. Default 0. */
  standaloneHosts?: number;
  user?: string;
  password?: string;
  /** Loopback port to listen on; default: one the kernel picks. Pass a stopped vcsim's port to restart it "in place". */
  port?: number;
  /** Expire sessions idle this long (vcsim default: never). */
  sessionIdleSeconds?: number;
  /** How long migrations, maintenance mode changes and power operations take (default 0: no wait). */
  taskDelayMs?: number;
  /** The clusters' DRS; 'fullyAutomated' evacuates hosts entering maintenance mode. Default: vcsim's (no evacuation). */
  drs?: 'off' | 'manual' | 'partiallyAutomated' | 'fullyAutomated';
  /** One VM each on the first host of the first cluster that vCenter cannot move, for these reasons. */
  pinnedVms?: PinReason[];
  startTimeoutMs?: number;
  /** Defaults to the binary build.sh makes. */
  binary?: string;
}

/** What keeps a pinned VM on its host: a connected host device, a PCI passthrough device, a disk on the host's own datastore. */
export type PinReason = 'cdrom' | 'usb' | 'serial' | 'passthrough' | 'local-disk';

export interface VcsimCounts {
  datacenters: number;
  clusters: number;
  hosts: number;
  vms: number;
}

/** SOAP calls per method; objects the PropertyCollector handed out by retrieval and as WaitForUpdatesEx updates. */
export interface VcsimServed {
  calls: Record<string, number>;
  objects_retrieved: number;
  object_updates: number;
}

export interface Vcsim {
  /** https://127.0.0.1:<port>/sdk, without credentials. */
  url: string;
  user: string;
  password: string;
  /** The server certificate vcsim generated (PEM), and its SHA-256 thumbprint in colon hex. */
  certPem: string;
  thumbprint: string;
  /** What vcsim reports holding once its inventory is built. */
  counts: VcsimCounts;
  /** The pinned VMs' ids and why each cannot move. */
  pinned: Record<string, PinReason>;
  pid: number;
  /** What it served since it started (scripts/vcsim/stats.go): for counting round trips, never for timing. */
  served(): Promise<VcsimServed>;
  /** SIGTERM, wait for exit, remove its datastore directory. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would: for tests of a vCenter dying mid-call. */
  kill(): Promise<void>;
}

/**
 * Starts vcsim (govmomi's vSphere API simulator) on 127.0.0.1 with a port the kernel picks, TLS on a
 * certificate of its own and real credentials, and waits until /sdk answers a SOAP call.
 */
export async function startVcsim(options: VcsimOptions = {}): Promise<Vcsim> {
  const binary = options.binary ?? VCSIM_BINARY;
  if (!existsSync(binary)) throw new Error(`vcsim is not built (${binary} is missing): ${VCSIM_BUILD_HINT}`);
  const user = options.user ?? 'eio-test';
  const password = options.password ?? 'vcsim-pass-1';
  const dir = await mkdtemp(join(tmpdir(), 'eio-vcsim-'));
  const certFile = join(dir, 'cert.pem');
  const args = [
    `-dc=${options.datacenters ?? 1}`,
    `-cluster=${options.clusters ?? 1}`,
    `-host=${options.hostsPerCluster ?? 3}`,
    `-vm=${options.vmsPerHost ?? 2}`,
    `-standalone=${options.standaloneHosts ?? 0}`,
    `-listen=127.0.0.1:${options.port ?? 0}`,
    `-user=${user}`,
    `-pass=${password}`,
    `-cert-out=${certFile}`,
  ];
  if (options.sessionIdleSeconds) args.push(`-session-idle=${options.sessionIdleSeconds}s`);
  if (options.taskDelayMs) args.push(`-task-delay=${options.taskDelayMs}ms`);
  if (options.drs) args.push(`-drs=${options.drs}`);
  if (options.spreadVms) args.push('-spread');
  if (options.updateIntervalMs) args.push(`-update-interval=${options.updateIntervalMs}ms`);
  if (options.pinnedVms?.length) args.push(`-pinned-vm=${options.pinnedVms.join(',')}`);
  // vcsim keeps its datastores under TMPDIR: give it its own, removed on stop.
  const child = spawn(binary, args, { env: { ...process.env, TMPDIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4_000);
  });
  const exited = new Promise<void>((done) => child.once('close', () => done()));

  try {
    const { url, counts, pinned } = await readyLine(child, () => stderr, options.startTimeoutMs ?? 180_000);
    const certPem = await readFile(certFile, 'utf8');
    await waitForSdk(url, certPem);
    const end = async (signal: NodeJS.Signals) => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      await rm(dir, { recursive: true, force: true });
    };
    return {
      url,
      user,
      password,
      certPem,
      thumbprint: new X509Certificate(certPem).fingerprint256,
      counts,
      pinned,
      pid: child.pid!,
      served: () => servedBy(url, certPem),
      stop: () => end('SIGTERM'),
      kill: () => end('SIGKILL'),
    };
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    process.removeListener('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

type Ready = { url: string; counts: VcsimCounts; pinned: Record<string, PinReason> };

function readyLine(child: ChildProcess, stderr: () => string, timeoutMs: number): Promise<Ready> {
  return new Promise((resolveReady, reject) => {
    let out = '';
    let url: string | undefined;
    let pinned: Record<string, PinReason> = {};
    const timer = setTimeout(() => fail(`vcsim did not report ready within ${timeoutMs} ms`), timeoutMs);
    function fail(why: string) {
      clearTimeout(timer);
      reject(new Error(`${why}. stderr: ${stderr().trim().slice(-1_500) || '(empty)'}`));
    }
    const onError = (err: Error) => fail(`vcsim failed to start: ${err.message}`);
    const onClose = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`vcsim exited (${signal ?? `code ${code}`}) before it was ready`);
    child.once('error', onError);
    child.once('close', onClose);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl).trim();
        out = out.slice(nl + 1);
        const exported = /^export GOVC_URL=(\S+)$/.exec(line);
        if (exported) {
          const u = new URL(exported[1]!);
          u.username = '';
          u.password = '';
          url = u.href;
        }
        const pins = /^# vcsim pinned (\{.*\})$/.exec(line);
        if (pins) pinned = JSON.parse(pins[1]!) as Record<string, PinReason>;
        const ready = /^# vcsim ready (\{.*\})$/.exec(line);
        if (ready && url) {
          clearTimeout(timer);
          child.removeListener('error', onError);
          child.removeListener('close', onClose);
          resolveReady({ url, counts: JSON.parse(ready[1]!) as VcsimCounts, pinned });
        }
      }
    });
  });
}

async function servedBy(url: string, ca: string): Promise<VcsimServed> {
  const agent = new Agent({ connect: { ca } });
  try {
    const res = await request(new URL('/eio/stats', url), { dispatcher: agent });
    if (res.statusCode !== 200) throw new Error(`vcsim /eio/stats: HTTP ${res.statusCode} (rebuild it: ${VCSIM_BUILD_HINT})`);
    return (await res.body.json()) as VcsimServed;
  } finally {
    await agent.close();
  }
}

async function waitForSdk(url: string, ca: string): Promise<void> {
  const agent = new Agent({ connect: { ca } });
  const envelope =
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
    '<soapenv:Body><RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this>' +
    '</RetrieveServiceContent></soapenv:Body></soapenv:Envelope>';
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await request(url, { method: 'POST', body: envelope, headers: { 'content-type': 'text/xml' }, dispatcher: agent });
        const text = await res.body.text();
        if (res.statusCode === 200 && text.includes('RetrieveServiceContentResponse')) return;
        throw new Error(`HTTP ${res.statusCode}`);
      } catch (err) {
        if (attempt >= 50) throw new Error(`vcsim at ${url} does not answer RetrieveServiceContent: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await agent.close();
  }
}
