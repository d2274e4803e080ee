import type { EndpointInfo, EndpointOptions, FaultTarget } from './endpoint-types';
import { deriveIdentity, type EndpointIdentity } from './identity/identity';
import { PROFILES, type RedfishFlavor } from './identity/profiles';
import type { Fault } from './net/faults';
import type { Protocol } from './net/http-types';
import { isLoopback } from './net/ipv4';
import { FaultableListener, type ListenerStats } from './net/listener';
import { createRedfishProtocol } from './redfish/protocol';
import type { Credentials } from './state/accounts';
import { type Health, SimulatedHost } from './state/host';
import type { JobState, SimJob } from './state/jobs';
import type { PowerState } from './state/power';
import type { Durations } from './state/timers';
import type { InjectedFailure } from './state/updates';
import { CertificateStore, type CertMaterial } from './tls/cert-store';
import { createWsmanProtocol, WSMAN_PATH } from './wsman/protocol';

export const FACTORY_CREDENTIALS: Credentials = { username: 'root', password: 'calvin' };

function certificateInfo(material: CertMaterial) {
  return { pem: material.certPem, thumbprint: material.thumbprint, notAfter: material.notAfter.toISOString() };
}

/**
 * One simulated iDRAC: its server's state plus the HTTPS listeners it answers on, with a control API
 * for tests and the demo lab (faults, power, health, forced update failures).
 */
export class SimulatedEndpoint {
  readonly identity: EndpointIdentity;
  readonly host: SimulatedHost;
  readonly redfish: RedfishFlavor;
  readonly wsmanEnabled: boolean;
  private readonly credentials: Credentials;
  private https?: FaultableListener;
  private wsman?: FaultableListener;
  private certificate?: CertMaterial;
  private wrongCertificate?: CertMaterial;
  private rebooting = false;

  constructor(private readonly options: EndpointOptions) {
    if (!isLoopback(options.address)) throw new Error(`simulators only listen on loopback, not ${options.address}`);
    const generation = options.generation ?? 'idrac9';
    const profile = PROFILES[generation];
    this.redfish = options.redfish ?? profile.redfish;
    this.wsmanEnabled = options.wsman ?? profile.wsman;
    this.credentials = options.credentials ?? FACTORY_CREDENTIALS;
    this.identity = deriveIdentity(options.index, {
      seed: options.seed,
      generation,
      address: options.address,
      serviceTag: options.serviceTag,
      systemUuid: options.systemUuid,
      hostIpv4: options.hostIpv4,
    });
    this.host = new SimulatedHost({
      identity: this.identity,
      credentials: this.credentials,
      extraAccounts: options.extraAccounts,
      speed: options.speed ?? 1,
      sessionLimit: options.sessionLimit ?? 8,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 1_800_000,
      initialPower: options.initialPower ?? 'On',
      durations: options.durations,
      emit: (event) => options.onEvent?.(event),
    });
  }

  get name(): string {
    return `idrac-sim-${String(this.options.index).padStart(3, '0')}`;
  }

  get maxTlsVersion() {
    return this.options.maxTlsVersion ?? this.identity.profile.maxTlsVersion;
  }

  async start(): Promise<void> {
    const store = this.options.certStore ?? new CertificateStore();
    const tag = this.identity.serviceTag;
    const request = {
      subject: {
        country: 'US',
        state: 'Texas',
        locality: 'Round Rock',
        organization: 'Dell Inc.',
        organizationalUnit: 'Remote Access Group',
        commonName: `idrac-${tag}`,
      },
      ipAddresses: [this.options.address],
      dnsNames: [`idrac-${tag}`],
      keyType: this.options.keyType,
    };
    const base = `${tag}-${this.options.address}`;
    [this.certificate, this.wrongCertificate] = await Promise.all([store.get(base, request), store.get(`${base}-impostor`, request)]);

    const redfish = this.redfish === 'none' ? undefined : createRedfishProtocol(this.host, this.redfish);
    const wsman = this.wsmanEnabled ? createWsmanProtocol(this.host, this.options.wsmanIdentity) : undefined;
    const isWsman = (path: string) => path === WSMAN_PATH || path === `${WSMAN_PATH}/`;
    const listener = (port: number | undefined, dispatch: (path: string) => Protocol | undefined) =>
      new FaultableListener({
        host: this.options.address,
        port: port ?? 0,
        certificate: this.certificate!,
        wrongCertificate: this.wrongCertificate!,
        maxTlsVersion: this.maxTlsVersion,
        dispatch,
      });

    this.https = listener(this.options.ports?.https, (path) =>
      isWsman(path) ? wsman : path === '/redfish' || path.startsWith('/redfish/') ? redfish : undefined,
    );
    if (wsman) this.wsman = listener(this.options.ports?.wsman, (path) => (isWsman(path) ? wsman : undefined));

    this.host.onManagerReboot = () => {
      if (this.rebooting) return;
      this.rebooting = true;
      wsman?.reset();
      // Listeners stop accepting synchronously here, so whoever hears 'down' finds the port closed.
      void this.forEachListener((l) => l.setDown(true));
      this.options.onEvent?.({ type: 'manager-reboot', phase: 'down' });
      this.host.timers.after(this.host.durations.managerReboot, () => {
        void this.forEachListener((l) => l.setDown(false)).then(
          () => {
            this.rebooting = false;
            this.options.onEvent?.({ type: 'manager-reboot', phase: 'up' });
          },
          // The port was taken meanwhile: the iDRAC stays unreachable, which is what a client would see.
          () => {
            this.rebooting = false;
          },
        );
      });
    };

    if (this.options.faults?.https) this.https.faults.set(this.options.faults.https);
    if (this.options.faults?.wsman) this.wsman?.faults.set(this.options.faults.wsman);
    await this.forEachListener((l) => l.start());
    this.host.publicUrl = `https://${this.options.address}:${this.https.port}`;
  }

  async stop(): Promise<void> {
    this.host.dispose();
    await this.forEachListener((l) => l.stop());
  }

  /** Inject (or with undefined, clear) a fault on one or both ports; takes effect for the next connection. */
  async setFault(fault: Fault | undefined, target: FaultTarget = 'all'): Promise<void> {
    const targets = target === 'all' ? [this.https, this.wsman] : target === 'https' ? [this.https] : [this.wsman];
    await Promise.all(targets.map((l) => l?.setFault(fault)));
  }

  clearFaults(): Promise<void> {
    return this.setFault(undefined);
  }

  faultOn(target: Exclude<FaultTarget, 'all'>): Fault | undefined {
    return (target === 'https' ? this.https : this.wsman)?.faults.current;
  }

  get power(): PowerState {
    return this.host.power.state;
  }

  setPower(state: PowerState): void {
    this.host.power.set(state);
  }

  setHealth(health: Health): void {
    this.host.health = health;
  }

  /**
   * The next firmware job fails with this iDRAC message: after its download (default; RED007, bad signature)
   * or while it is applied (`'apply'`, e.g. after the reboot that runs it: the device keeps its version).
   */
  failNextUpdate(messageKey?: string, at?: InjectedFailure['at']): void {
    this.host.updates.failNext(messageKey, at);
  }

  /** The Lifecycle Controller is busy (`'InUse'`, `'Reloading Data'`…): not ready, new updates refused; undefined: ready. */
  setLifecycleBusy(lcStatus: string | undefined): void {
    this.host.lifecycleBusy = lcStatus;
  }

  /** The next reboot hangs in POST: the server stays PoweringOn and applies nothing until a power command. */
  hangNextReboot(): void {
    this.host.power.hangNextBoot = true;
  }

  /** Change durations (real scale, still divided by `speed`) from now on. */
  setDurations(durations: Partial<Durations>): void {
    Object.assign(this.host.durations, durations);
  }

  /** Puts a job EIO did not create in the queue (another tool's, an operator's), to see it left alone. */
  seedJob(job: { id: string; name?: string; jobType?: string; state?: JobState; percentComplete?: number }): SimJob {
    const seeded: SimJob = {
      id: job.id,
      name: job.name ?? 'Configure: Import Server Configuration Profile',
      jobType: job.jobType ?? 'ImportConfiguration',
      state: job.state ?? 'Scheduled',
      percentComplete: job.percentComplete ?? 0,
      messageKey: 'JCP001',
      messageArgs: [],
      startTime: new Date(),
      targets: [],
      applyTime: 'Immediate',
      rebootHost: false,
      awaitingBoot: false,
    };
    this.host.jobs.add(seeded);
    return seeded;
  }

  /** Reset the iDRAC as Manager.Reset would: sessions dropped, unreachable for a scaled 90 s. */
  rebootManager(): void {
    this.host.rebootManager();
  }

  /** Connections accepted and HTTP requests received on both ports since start. */
  stats(): ListenerStats {
    const ports = [this.https, this.wsman].filter((l): l is FaultableListener => l !== undefined);
    return { connections: ports.reduce((n, l) => n + l.stats.connections, 0), requests: ports.reduce((n, l) => n + l.stats.requests, 0) };
  }

  firmware(): Array<{ fqdd: string; version: string }> {
    return this.host.inventory.list().map((c) => ({ fqdd: c.fqdd, version: c.version }));
  }

  info(): EndpointInfo {
    const https = this.https;
    if (!https || !this.certificate || !this.wrongCertificate) throw new Error(`${this.name} has not been started`);
    const origin = `https://${this.options.address}:${https.port}`;
    const wsmanOrigin = this.wsman ? `https://${this.options.address}:${this.wsman.port}` : undefined;
    return {
      index: this.options.index,
      name: this.name,
      address: this.options.address,
      generation: this.identity.profile.generation,
      redfish: this.redfish,
      wsman: this.wsmanEnabled,
      ports: { https: https.port, ...(this.wsman ? { wsman: this.wsman.port } : {}) },
      urls: {
        ...(this.redfish !== 'none' ? { redfish: `${origin}/redfish/v1` } : {}),
        ...(wsmanOrigin ? { wsman: `${wsmanOrigin}${WSMAN_PATH}`, wsmanOnHttps: `${origin}${WSMAN_PATH}` } : {}),
      },
      credentials: this.currentCredentials(),
      serviceTag: this.identity.serviceTag,
      systemUuid: this.identity.systemUuid,
      model: this.identity.profile.model,
      idracFirmware: this.host.idracFirmware,
      maxTlsVersion: this.maxTlsVersion,
      certificate: certificateInfo(this.certificate),
      wrongCertificate: certificateInfo(this.wrongCertificate),
    };
  }

  /** The factory account as it is now (a password changed over Redfish shows here). */
  private currentCredentials(): Credentials {
    const account = this.host.accounts.get('2');
    return account ? { username: account.userName, password: account.password } : { ...this.credentials };
  }

  private async forEachListener(fn: (listener: FaultableListener) => Promise<void>): Promise<void> {
    await Promise.all([this.https, this.wsman].filter((l): l is FaultableListener => l !== undefined).map(fn));
  }
}
