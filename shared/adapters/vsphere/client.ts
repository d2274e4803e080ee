import type { SharedBreaker } from '../../ports/upstream-breakers';
import type { VCenterClientHealth, VCenterTaskInfo } from '../../ports/vcenter';
import { decodeValue } from './decode';
import type { Args } from './envelope';
import { VSphereLimitError } from './errors';
import * as pc from './property-collector';
import { Resilience, type ResilienceOptions } from './resilience';
import { type CallOptions, type CredentialSource, VSphereSession } from './session';
import { mentionsSessionObject, objectsSpec } from './specs';
import { TaskWatcher } from './task-watcher';
import { taskInfoOf } from './tasks';
import type { TlsPolicy } from './tls-trust';
import { SoapTransport } from './transport';
import type {
  MoRef,
  ObjectContent,
  PropertyFilterSpec,
  RetrievePage,
  ServiceContent,
  TaskInfo,
  UpdateSet,
  UserSession,
  WaitOptions,
} from './types';
import { isMoRef } from './types';

export interface VSphereClientOptions extends Partial<ResilienceOptions> {
  /** The SDK endpoint, e.g. https://vcenter.example.com/sdk (credentials in the URL are refused). */
  url: string;
  credentials: CredentialSource;
  tls: TlsPolicy;
  /** Deadline of one request; a WaitForUpdatesEx gets its maxWaitSeconds on top. Default 60 s. */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Private PropertyCollectors (one per delta waiter) this client may hold at once, besides the task watcher's one. Default 2. */
  maxPropertyCollectors?: number;
  /** How long one WaitForUpdatesEx of the task watcher waits for a change before asking again. Default 30 s. */
  taskWaitSeconds?: number;
  /** SOAPAction version until the service content says the server's own. Default 6.5. */
  initialApiVersion?: string;
  /** This instance's place on the shared breaker board (ports/upstream-breakers.ts). */
  sharedBreaker?: SharedBreaker;
}

const DEFAULTS: ResilienceOptions = {
  maxConcurrentRequests: 4,
  maxQueuedRequests: 64,
  retries: 2,
  retryInitialDelayMs: 200,
  retryMaxDelayMs: 5_000,
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 30_000,
};

type LimitOptions = Partial<ResilienceOptions> &
  Pick<VSphereClientOptions, 'requestTimeoutMs' | 'connectTimeoutMs' | 'maxPropertyCollectors'>;
export type ClientLimits = ResilienceOptions & { requestTimeoutMs: number; connectTimeoutMs: number; maxPropertyCollectors: number };

/** What a client built with `options` enforces: the constructor builds with it, and the API shows it (GET /upstreams). */
export function clientLimits(options: LimitOptions): ClientLimits {
  const limits: ResilienceOptions = { ...DEFAULTS };
  for (const k of Object.keys(DEFAULTS) as (keyof ResilienceOptions)[]) if (options[k] !== undefined) limits[k] = options[k]!;
  return {
    ...limits,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    maxPropertyCollectors: options.maxPropertyCollectors ?? 2,
  };
}

/**
 * A client for one vCenter's vSphere Web Services API (SOAP on /sdk): one session, one connection pool,
 * one circuit breaker and one concurrency limit per instance. Create it once per container and reuse it;
 * close() logs out (vpxd caps sessions, and a leaked one counts until it times out).
 */
export class VSphereClient {
  readonly session: VSphereSession;
  private readonly transport: SoapTransport;
  private readonly resilience: Resilience;
  private readonly requestTimeoutMs: number;
  private readonly maxCollectors: number;
  private readonly collectors = new Set<string>();
  /** The task watcher's collector, outside the delta waiters' limit: there is at most one. */
  private readonly taskCollectors = new Set<string>();
  private readonly tasks: TaskWatcher;

  constructor(options: VSphereClientOptions) {
    const url = new URL(options.url);
    if (url.username || url.password) throw new Error('VSphereClient: pass credentials separately, not in the URL');
    const limits = clientLimits(options);
    this.requestTimeoutMs = limits.requestTimeoutMs;
    this.maxCollectors = limits.maxPropertyCollectors;
    this.transport = new SoapTransport({
      url: url.href,
      tls: options.tls,
      connectTimeoutMs: limits.connectTimeoutMs,
      maxConnections: limits.maxConcurrentRequests,
    });
    this.resilience = new Resilience(url.href, limits, options.sharedBreaker);
    this.session = new VSphereSession(this.transport, this.resilience, options.credentials, {
      requestTimeoutMs: this.requestTimeoutMs,
      initialApiVersion: options.initialApiVersion ?? '6.5',
    });
    this.tasks = new TaskWatcher(
      {
        createCollector: async () => {
          const ref = await pc.createPropertyCollector(this.session, (await this.content()).propertyCollector);
          this.taskCollectors.add(ref.value);
          return ref;
        },
        destroyCollector: (collector) =>
          pc.destroyPropertyCollector(this.session, collector).finally(() => this.taskCollectors.delete(collector.value)),
        retrieve: async (spec) => {
          const out: ObjectContent[] = [];
          for await (const o of this.retrievePropertiesEx([spec])) out.push(o);
          return out;
        },
        createFilter: (collector, spec) => this.createFilter(collector, spec),
        createListView: (objects) => this.createListView(objects),
        modifyListView: (view, change) => this.modifyListView(view, change),
        destroyView: (view) => this.destroyView(view),
        waitForUpdatesEx: (collector, version, wait) => this.waitForUpdatesEx(collector, version, wait),
        cancelWaitForUpdates: (collector) => this.cancelWaitForUpdates(collector),
        sessionGeneration: () => this.session.generation,
      },
      options.taskWaitSeconds,
    );
  }

  get url(): string {
    return this.transport.url;
  }

  get apiVersion(): string | undefined {
    return this.session.apiVersion;
  }

  health(): VCenterClientHealth {
    const breaker = this.resilience.breakerStatus;
    return {
      url: this.url,
      breaker: breaker.state,
      consecutiveFailures: breaker.consecutiveFailures,
      breakerRetryAt: breaker.retryAt,
      loggedIn: this.session.loggedIn,
      apiVersion: this.session.apiVersion,
      sessionGeneration: this.session.generation,
      freeRequestSlots: this.resilience.freeSlots,
      propertyCollectors: this.collectors.size + this.taskCollectors.size,
    };
  }

  retrieveServiceContent(): Promise<ServiceContent> {
    return this.session.retrieveServiceContent();
  }

  login(): Promise<UserSession> {
    return this.session.login();
  }

  logout(): Promise<void> {
    return this.session.logout();
  }

  /** Ends the task waits (their waiters get an error), logs out and closes the connections. */
  async close(): Promise<void> {
    await this.tasks.close();
    await this.session.logout();
    await this.transport.close();
  }

  private async content(): Promise<ServiceContent> {
    return this.session.retrieveServiceContent();
  }

  // Views

  async createContainerView(types: string[], options: { container?: MoRef; recursive?: boolean } = {}): Promise<MoRef> {
    const content = await this.content();
    const rv = await this.session.call('CreateContainerView', content.viewManager, {
      container: options.container ?? content.rootFolder,
      type: types,
      recursive: options.recursive ?? true,
    });
    return pc.moRefOf(rv, 'CreateContainerView');
  }

  /** A ListView of these objects (ViewManager.CreateListView). */
  async createListView(objects: MoRef[]): Promise<MoRef> {
    const rv = await this.session.call('CreateListView', (await this.content()).viewManager, { obj: objects });
    return pc.moRefOf(rv, 'CreateListView');
  }

  /** Adds and removes objects; answers those to add that vCenter does not know. */
  async modifyListView(view: MoRef, change: { add?: MoRef[]; remove?: MoRef[] }): Promise<MoRef[]> {
    const rv = await this.session.call('ModifyListView', view, { add: change.add, remove: change.remove }, { sessionBound: true });
    return (Array.isArray(rv) ? rv : rv ? [rv] : []).filter(isMoRef);
  }

  async destroyView(view: MoRef): Promise<void> {
    await this.session.call('DestroyView', view, {}, { sessionBound: true });
  }

  // Retrieval

  /** Every matching object, across as many ContinueRetrievePropertiesEx pages as the server cuts. */
  async *retrievePropertiesEx(
    specSet: PropertyFilterSpec[],
    options: { maxObjects?: number; collector?: MoRef } = {},
  ): AsyncGenerator<ObjectContent, void, undefined> {
    const collector = options.collector ?? (await this.content()).propertyCollector;
    yield* pc.retrieveAll(this.session, collector, specSet, options.maxObjects);
  }

  async retrievePropertiesExPage(
    specSet: PropertyFilterSpec[],
    options: { maxObjects?: number; collector?: MoRef } = {},
  ): Promise<RetrievePage> {
    const collector = options.collector ?? (await this.content()).propertyCollector;
    return pc.retrievePropertiesExPage(this.session, collector, specSet, options.maxObjects);
  }

  async continueRetrievePropertiesEx(token: string, options: { collector?: MoRef } = {}): Promise<RetrievePage> {
    const collector = options.collector ?? (await this.content()).propertyCollector;
    return pc.continueRetrievePropertiesEx(this.session, collector, token);
  }

  async cancelRetrievePropertiesEx(token: string, options: { collector?: MoRef } = {}): Promise<void> {
    const collector = options.collector ?? (await this.content()).propertyCollector;
    return pc.cancelRetrievePropertiesEx(this.session, collector, token);
  }

  /** Properties of one object as a map, e.g. { 'runtime.powerState': 'poweredOn' }. */
  async getProperties(obj: MoRef, pathSet: string[]): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for await (const o of this.retrievePropertiesEx([objectsSpec([obj], pathSet)])) for (const p of o.propSet) out[p.name] = p.val;
    return out;
  }

  // Delta: private collectors, filters, WaitForUpdatesEx

  /** A private collector, so this waiter's versions are its own; at most maxPropertyCollectors at once. */
  async createPropertyCollector(): Promise<MoRef> {
    if (this.collectors.size >= this.maxCollectors) {
      throw new VSphereLimitError(
        `At most ${this.maxCollectors} property collectors per vCenter instance (${this.url}); destroy one first`,
      );
    }
    const ref = await pc.createPropertyCollector(this.session, (await this.content()).propertyCollector);
    this.collectors.add(ref.value);
    return ref;
  }

  async destroyPropertyCollector(collector: MoRef): Promise<void> {
    try {
      await pc.destroyPropertyCollector(this.session, collector);
    } finally {
      this.collectors.delete(collector.value);
    }
  }

  createFilter(collector: MoRef, spec: PropertyFilterSpec, partialUpdates = false): Promise<MoRef> {
    return pc.createFilter(this.session, collector, spec, partialUpdates);
  }

  destroyFilter(filter: MoRef): Promise<void> {
    return pc.destroyFilter(this.session, filter);
  }

  waitForUpdatesEx(collector: MoRef, version: string, options: WaitOptions): Promise<UpdateSet> {
    return pc.waitForUpdatesEx(this.session, collector, version, options, this.requestTimeoutMs);
  }

  cancelWaitForUpdates(collector: MoRef): Promise<void> {
    return pc.cancelWaitForUpdates(this.session, collector);
  }

  // Escape hatch and tasks

  /**
   * Calls any vim25 method: `args` in the schema's order (see envelope.ts for how values encode); returns
   * the decoded returnval. Not retried unless `idempotent`; session-bound when it mentions session objects.
   */
  async invoke(
    method: string,
    self: MoRef,
    args: Args = {},
    options: Pick<CallOptions, 'idempotent' | 'timeoutMs'> = {},
  ): Promise<unknown> {
    await this.content(); // the SOAPAction version comes from it
    const rv = await this.session.call(method, self, args, { ...options, sessionBound: mentionsSessionObject([self, args]) });
    return rv === undefined ? undefined : decodeValue(rv);
  }

  /** One look at a task. */
  async taskInfo(task: MoRef): Promise<VCenterTaskInfo> {
    return taskInfoOf(task, (await this.getProperties(task, ['info'])).info as TaskInfo | undefined);
  }

  /**
   * Waits until a Task ends, through the task watcher's collector: its info on success; VSphereTaskError with
   * vCenter's fault when it failed; VSphereError past the timeout (default 10 min); VSphereSessionLostError
   * when the session was lost meanwhile (the task goes on: wait again).
   */
  waitForTask(task: MoRef, options: { timeoutMs?: number } = {}): Promise<VCenterTaskInfo> {
    return this.tasks.wait(task, options.timeoutMs ?? 10 * 60_000);
  }
}
