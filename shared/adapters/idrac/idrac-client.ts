import { classifyDevice, type DeviceIdentity, notAnIdrac } from '../../domain/device-identity';
import type { CapabilityFingerprint, IdracFirmwareItem, IdracInventory } from '../../domain/idrac';
import type { UpstreamLimits } from '../../domain/upstream';
import { LruMap } from '../../lib/lru-map';
import {
  type AccountPasswordChange,
  type CredentialCheck,
  type FirmwareImage,
  type FirmwareUpdateOptions,
  type FirmwareUpdateStarted,
  type Idrac,
  type IdracCredential,
  IdracError,
  IdracHttpError,
  type IdracJobStatus,
  type IdracTarget,
  type IdracUpstreamState,
  type JobDeleted,
  type KnockResult,
  type LifecycleControllerStatus,
  type PowerResetResult,
  type RebootMode,
  type RebootStarted,
  type ResetType,
} from '../../ports/idrac';
import { knock } from './knock';
import { DEFAULT_REDFISH_PORT, DEFAULT_WSMAN_PORT, type IdracClientOptions, resolveOptions } from './options';
import { probeEndpoint } from './probe';
import { redfishSetAccountPassword } from './redfish/accounts';
import { resetSystem, resetToApply } from './redfish/actions';
import { redfishFirmware, redfishInventory } from './redfish/inventory';
import { deleteJob, type JobSource, listJobs, readJobStatus, refuseWholeQueue } from './redfish/jobs';
import { parseJson } from './redfish/json';
import { lifecycleStatus, requireReady } from './redfish/lifecycle';
import { ROOT } from './redfish/paths';
import { compareVersions, RecentServiceRoots, readServiceRoot, type ServiceRoot } from './redfish/service-root';
import { RedfishSession, withSession } from './redfish/session';
import { httpPush, multipartPush, pushTargets, simpleUpdate } from './redfish/updates';
import { AnchorCache } from './tls/anchors';
import { EndpointPools } from './transport/endpoint-pools';
import { HttpTransport } from './transport/http';
import { ResilienceRegistry } from './transport/resilience';
import { wsmanSetAccountPassword } from './wsman/accounts';
import { WsmanLifecycle } from './wsman/actions';
import { wsmanFirmware, wsmanInventory } from './wsman/inventory';
import { WsmanClient } from './wsman/wsman-client';

type Route = { kind: 'redfish'; root: ServiceRoot; port: number } | { kind: 'wsman'; port: number; why: string };

/**
 * The iDRAC port over Redfish and WS-Man. Create one per container (module scope): it holds the
 * per-endpoint pools, breakers and concurrency limits, and the certificates learned for pinned thumbprints.
 */
export class IdracClient implements Idrac {
  private readonly options: IdracClientOptions;
  private readonly pools: EndpointPools;
  private readonly resilience: ResilienceRegistry;
  private readonly http: HttpTransport;
  private readonly wsman: WsmanClient;
  /** Where each iDRAC answered for its jobs last time, so polling goes straight there (the most recent 4,096). */
  private readonly jobSources = new LruMap<string, JobSource>(4_096);
  private readonly roots = new RecentServiceRoots();

  constructor(options: Partial<IdracClientOptions> = {}) {
    this.options = resolveOptions(options);
    this.pools = new EndpointPools(this.options, new AnchorCache());
    this.resilience = new ResilienceRegistry(this.options);
    this.http = new HttpTransport(this.pools, this.resilience);
    this.wsman = new WsmanClient(this.http, this.options.log);
  }

  knock(target: IdracTarget): Promise<KnockResult> {
    return knock(
      target.address,
      [target.redfishPort ?? DEFAULT_REDFISH_PORT, target.wsmanPort ?? DEFAULT_WSMAN_PORT],
      this.options.connectTimeoutMs,
    );
  }

  probe(target: IdracTarget): Promise<CapabilityFingerprint> {
    return this.timed('probe', target, () =>
      probeEndpoint({ http: this.http, wsman: this.wsman, pools: this.pools, roots: this.roots }, target),
    );
  }

  inventory(target: IdracTarget, credential: IdracCredential): Promise<IdracInventory> {
    return this.timed('inventory', target, async () => {
      const route = await this.route(target);
      if (route.kind === 'wsman') return wsmanInventory(this.wsman, target, route.port, credential, this.options.wsmanPageSize);
      return withSession(this.session(target, route, credential), (s) => redfishInventory(s, route.root, target.address));
    });
  }

  firmwareInventory(target: IdracTarget, credential: IdracCredential): Promise<IdracFirmwareItem[]> {
    return this.timed('firmware_inventory', target, async () => {
      const route = await this.route(target);
      if (route.kind === 'wsman') return wsmanFirmware(this.wsman, target, route.port, credential, this.options.wsmanPageSize);
      return withSession(this.session(target, route, credential), (s) => redfishFirmware(s, route.root));
    });
  }

  powerReset(target: IdracTarget, credential: IdracCredential, resetType: ResetType): Promise<PowerResetResult> {
    return this.timed('power_reset', target, async () => {
      const route = await this.route(target);
      if (route.kind === 'wsman') return this.lifecycle(target, route, credential).powerReset(resetType);
      return withSession(this.session(target, route, credential), (s) => resetSystem(s, resetType));
    });
  }

  lifecycleControllerStatus(target: IdracTarget, credential: IdracCredential): Promise<LifecycleControllerStatus> {
    return this.timed('lifecycle_status', target, async () => {
      const route = await this.route(target);
      if (route.kind === 'wsman') return this.lifecycle(target, route, credential).lifecycleStatus();
      return withSession(this.session(target, route, credential), (s) => lifecycleStatus(s));
    });
  }

  /**
   * The way in follows what the iDRAC offers (its service root, then its UpdateService), not its generation:
   * a Redfish service with an update service takes URIs by SimpleUpdate and bytes by multipart push (or the
   * older HttpPushUri + Install); without one, WS-Man InstallFromURI takes URIs only.
   */
  startFirmwareUpdate(
    target: IdracTarget,
    credential: IdracCredential,
    image: string | FirmwareImage,
    options: FirmwareUpdateOptions = {},
  ): Promise<FirmwareUpdateStarted> {
    const source: FirmwareImage = typeof image === 'string' ? { kind: 'uri', uri: image } : image;
    return this.timed('firmware_update', target, async () => {
      const route = await this.route(target);
      let started: FirmwareUpdateStarted;
      if (route.kind === 'wsman') {
        if (source.kind !== 'uri') {
          throw new IdracError(
            'not_supported',
            `iDRAC ${target.address} offers only WS-Man (${route.why}), which installs from a URI, not from uploaded bytes`,
            target.address,
            { protocol: 'wsman' },
          );
        }
        const lc = this.lifecycle(target, route, credential);
        requireReady(target.address, await lc.lifecycleStatus());
        started = await lc.installFromUri(source.uri, options);
      } else {
        started = await withSession(this.session(target, route, credential), async (s) => {
          requireReady(target.address, await lifecycleStatus(s));
          if (source.kind === 'uri') return simpleUpdate(s, target.address, source, options);
          const push = await pushTargets(s);
          if (push.multipart) return multipartPush(s, target.address, push.multipart, source, options);
          if (push.http) return httpPush(s, target.address, push.http, source, options);
          throw new IdracError('not_supported', `iDRAC ${target.address} offers no HTTP push for update images`, target.address);
        });
      }
      this.options.log.info('iDRAC firmware update queued', {
        idrac: target.address,
        external_task_id: started.job_id,
        method: started.method,
      });
      return started;
    });
  }

  jobStatus(target: IdracTarget, credential: IdracCredential, jobId: string): Promise<IdracJobStatus> {
    return this.timed('job_status', target, async () => {
      const route = await this.route(target);
      if (route.kind === 'wsman') return this.lifecycle(target, route, credential).jobStatus(jobId);
      const status = await withSession(this.session(target, route, credential), (s) =>
        readJobStatus(s, target.address, jobId, this.jobSources.get(target.address)),
      );
      this.jobSources.set(target.address, status.source as JobSource);
      return status;
    });
  }

  listJobs(target: IdracTarget, credential: IdracCredential): Promise<IdracJobStatus[]> {
    return this.timed('list_jobs', target, async () => {
      const route = await this.route(target);
      if (route.kind === 'wsman') return this.lifecycle(target, route, credential).listJobs(this.options.wsmanPageSize);
      return withSession(this.session(target, route, credential), (s) => listJobs(s, target.address, route.root.expand));
    });
  }

  deleteJob(target: IdracTarget, credential: IdracCredential, jobId: string): Promise<JobDeleted> {
    return this.timed('delete_job', target, async () => {
      refuseWholeQueue(target.address, jobId);
      const route = await this.route(target);
      const deleted =
        route.kind === 'wsman'
          ? await this.lifecycle(target, route, credential).deleteJob(jobId)
          : await withSession(this.session(target, route, credential), (s) => deleteJob(s, target.address, jobId));
      this.options.log.info('iDRAC job deleted', { idrac: target.address, external_task_id: jobId, outcome: deleted.outcome });
      return deleted;
    });
  }

  rebootToApply(target: IdracTarget, credential: IdracCredential, mode: RebootMode, jobIds: string[]): Promise<RebootStarted> {
    return this.timed('reboot_to_apply', target, async () => {
      const route = await this.route(target);
      if (route.kind === 'wsman') return this.lifecycle(target, route, credential).rebootToApply(mode, jobIds);
      return withSession(this.session(target, route, credential), (s) => resetToApply(s, mode));
    });
  }

  verifyCredential(target: IdracTarget, credential: IdracCredential): Promise<CredentialCheck> {
    return this.timed('verify_credential', target, async () => {
      const route = await this.route(target);
      try {
        if (route.kind === 'wsman') {
          await this.wsman.enumerate(target, route.port, credential, 'DCIM_iDRACCardView', 1);
        } else {
          await withSession(this.session(target, route, credential), async (s) => {
            await s.open();
            // Basic auth (sessions refused) is only judged by a request that needs it.
            if (s.mode === 'basic') await s.get('/redfish/v1/Systems');
          });
        }
        return { result: 'ok', protocol: route.kind, message: `iDRAC ${target.address} accepted the credential over ${route.kind}` };
      } catch (error) {
        if (error instanceof IdracHttpError && (error.status === 401 || error.status === 403)) {
          return {
            result: 'rejected',
            protocol: route.kind,
            message: `iDRAC ${target.address} rejected the credential (HTTP ${error.status})`,
          };
        }
        throw error;
      }
    });
  }

  // ---- Credential rotation (redfish/accounts.ts, wsman/accounts.ts) ----
  setAccountPassword(target: IdracTarget, credential: IdracCredential, username: string, password: string): Promise<AccountPasswordChange> {
    return this.timed('set_account_password', target, async () => {
      const route = await this.route(target);
      if (route.kind === 'wsman')
        return wsmanSetAccountPassword(this.wsman, target, route.port, credential, username, password, this.options.wsmanPageSize);
      return withSession(this.session(target, route, credential), (s) => redfishSetAccountPassword(s, target.address, username, password));
    });
  }
  // ---- end credential rotation ----

  upstreams(): IdracUpstreamState[] {
    return this.resilience.states();
  }

  limits(): UpstreamLimits {
    const o = this.options;
    return {
      max_concurrent_requests: o.maxConcurrentPerEndpoint,
      max_queued_requests: o.maxQueuedPerEndpoint,
      retries: o.retries,
      retry_max_delay_ms: o.retryMaxDelayMs,
      connect_timeout_ms: o.connectTimeoutMs,
      response_timeout_ms: o.headersTimeoutMs,
      breaker: { failure_threshold: o.breakerThreshold, half_open_after_ms: o.breakerHalfOpenAfterMs },
    };
  }

  async dispose(): Promise<void> {
    await this.pools.closeAll();
  }

  private lifecycle(target: IdracTarget, route: Extract<Route, { kind: 'wsman' }>, credential: IdracCredential): WsmanLifecycle {
    return new WsmanLifecycle(this.wsman, target, route.port, credential);
  }

  private session(target: IdracTarget, route: Extract<Route, { kind: 'redfish' }>, credential: IdracCredential): RedfishSession {
    return new RedfishSession(this.http, target, route.port, credential, this.options.log, route.root.sessionsPath);
  }

  /**
   * Redfish when its root answers with what inventory and actions need at a version we accept; WS-Man when
   * there is no Redfish (404) or nothing listens on its port. Other Redfish failures (timeouts, certificate
   * refused, open breaker) are thrown, not masked by a fallback. Every route is to a Dell iDRAC or throws
   * `not_an_idrac`: the credential follows the route.
   */
  private async route(target: IdracTarget): Promise<Route> {
    const port = target.redfishPort ?? DEFAULT_REDFISH_PORT;
    const wsmanPort = target.wsmanPort ?? DEFAULT_WSMAN_PORT;
    const probed = this.roots.take(target.address, port);
    if (probed) return this.routeOf(target, probed, port, wsmanPort);
    let response: Awaited<ReturnType<typeof this.http.send>>;
    try {
      response = await this.http.send(
        target,
        port,
        { method: 'GET', path: ROOT, headers: { accept: 'application/json' } },
        { retry: true },
      );
    } catch (error) {
      if (error instanceof IdracError && error.code === 'unreachable') return this.wsmanRoute(target, wsmanPort, error.message);
      throw error;
    }
    if (response.status === 404) return this.wsmanRoute(target, wsmanPort, 'no Redfish service');
    if (response.status !== 200) throw new IdracHttpError(target.address, response.status, 'GET', ROOT);
    return this.routeOf(target, readServiceRoot(parseJson(response.text, target.address, ROOT)), port, wsmanPort);
  }

  private async routeOf(target: IdracTarget, root: ServiceRoot, port: number, wsmanPort: number): Promise<Route> {
    const redfish = { kind: 'root' as const, root: root.facts };
    const device = classifyDevice({ redfish, tls: true });
    // A root that names no vendor (old iDRAC8 firmware, or anything else) is an iDRAC only if WS-Man says so.
    if (device.kind === 'redfish_without_vendor') {
      const wsman = await this.wsman.identify(target, wsmanPort, { retry: false }).catch(() => undefined);
      this.refuseUnlessIdrac(target, classifyDevice({ redfish, ...(wsman ? { wsman } : {}), tls: true }));
    } else this.refuseUnlessIdrac(target, device);
    if (!root.complete) return { kind: 'wsman', port: wsmanPort, why: `Redfish ${root.version} lacks systems, managers or update service` };
    if (root.version && compareVersions(root.version, this.options.minRedfishVersion) < 0) {
      return { kind: 'wsman', port: wsmanPort, why: `Redfish ${root.version} is older than ${this.options.minRedfishVersion}` };
    }
    return { kind: 'redfish', root, port };
  }

  /** WS-Man only when its unauthenticated Identify says iDRAC: no credential goes to another WS-Man service. */
  private async wsmanRoute(target: IdracTarget, port: number, why: string): Promise<Route> {
    const wsman = await this.wsman.identify(target, port, { retry: true });
    this.refuseUnlessIdrac(target, classifyDevice({ wsman, tls: true }));
    return { kind: 'wsman', port, why };
  }

  private refuseUnlessIdrac(target: IdracTarget, device: DeviceIdentity): void {
    if (device.kind !== 'idrac')
      throw new IdracError('not_an_idrac', notAnIdrac(target.address, device), target.address, { device_kind: device.kind });
  }

  private async timed<T>(operation: string, target: IdracTarget, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      const result = await fn();
      this.options.log.debug('iDRAC call done', { idrac: target.address, operation, duration_ms: Date.now() - started });
      return result;
    } catch (error) {
      const code = error instanceof IdracError ? error.code : 'unexpected';
      this.options.log.warn('iDRAC call failed', {
        idrac: target.address,
        operation,
        code,
        error: (error as Error).message,
        duration_ms: Date.now() - started,
      });
      throw error;
    }
  }
}
