import { logger } from '../../observability/logger';
import { decodeValue } from './decode';
import { type Args, requestEnvelope, responseBody } from './envelope';
import { ManagedObjectNotFoundFault, NotAuthenticatedFault, sessionLostDuring, VSphereHttpError, VSphereProtocolError } from './errors';
import type { Resilience } from './resilience';
import { retrieveResult } from './results';
import type { SoapTransport } from './transport';
import type { MoRef, ServiceContent, UserSession } from './types';
import { child, type XmlNode } from './xml-parse';

export interface Credentials {
  username: string;
  password: string;
}

/** Credentials, or where to read them at each login (so a rotated secret is picked up on re-login). */
export type CredentialSource = Credentials | (() => Promise<Credentials>);

export interface CallOptions {
  /** Safe to repeat after a transport failure (reads): retried with backoff. Default false. */
  idempotent?: boolean;
  timeoutMs?: number;
  /** Needs a logged-in session. Default true. */
  authenticated?: boolean;
  /**
   * Refers to objects of the current session (a view, a private collector or filter, a paging token, a
   * collector version). If the session turns out to be gone, the client logs in again but does not repeat
   * the call — it throws VSphereSessionLostError, since those objects died with the old session.
   */
  sessionBound?: boolean;
  /** Inspects the returnval; throws NotAuthenticatedFault when it shows a silently expired session. */
  check?: (returnval: XmlNode | undefined) => void;
}

const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };
const COOKIE = 'vmware_soap_session';

/**
 * One vSphere session (the vmware_soap_session cookie) per client: logs in lazily with the service
 * identity, logs in again once when vCenter says NotAuthenticated, logs out on close. The cookie is a
 * credential: it lives only in this object and is never logged.
 */
export class VSphereSession {
  // True private fields: neither the cookie nor the credentials show in util.inspect or JSON.stringify.
  #cookie: string | undefined;
  readonly #credentials: CredentialSource;
  private active = false;
  private content: ServiceContent | undefined;
  private loggingIn: Promise<UserSession> | undefined;
  private logins = 0;
  private soapVersion: string;

  constructor(
    private readonly transport: SoapTransport,
    private readonly resilience: Resilience,
    credentials: CredentialSource,
    private readonly options: { requestTimeoutMs: number; initialApiVersion: string },
  ) {
    this.soapVersion = options.initialApiVersion;
    this.#credentials = credentials;
  }

  get loggedIn(): boolean {
    return this.active;
  }

  /** Increases at each login: objects of an older generation (views, collectors, versions) are gone. */
  get generation(): number {
    return this.logins;
  }

  get serviceContent(): ServiceContent | undefined {
    return this.content;
  }

  /** The API version vCenter reports (about.apiVersion), once the service content was read. */
  get apiVersion(): string | undefined {
    return this.content?.about.apiVersion;
  }

  async retrieveServiceContent(): Promise<ServiceContent> {
    if (this.content) return this.content;
    const rv = await this.send('RetrieveServiceContent', SERVICE_INSTANCE, {}, { idempotent: true });
    if (!rv) throw new VSphereProtocolError('RetrieveServiceContent returned nothing');
    this.content = decodeValue(rv, 'ServiceContent') as ServiceContent;
    // Speak the server's own API version from now on (SOAPAction urn:vim25/<version>).
    if (this.content.about?.apiVersion) this.soapVersion = this.content.about.apiVersion;
    return this.content;
  }

  /**
   * The session cookie, for a later container to resume this session (its collectors, filters and
   * versions live only in it). It is a credential: keep it only as a secret, never in a record or a log.
   */
  exportCookie(): string | undefined {
    return this.active ? this.#cookie : undefined;
  }

  /**
   * Continues a session another container exported. If it has expired meanwhile, the next call logs in
   * afresh — and session-bound calls throw VSphereSessionLostError, so delta sync knows to start over.
   */
  resume(cookie: string): void {
    this.#cookie = cookie;
    this.active = true;
    this.logins++;
  }

  /** Logs in (again): concurrent callers share one Login. */
  login(): Promise<UserSession> {
    this.loggingIn ??= this.doLogin().finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  async logout(): Promise<void> {
    if (!this.active || !this.content) return;
    try {
      await this.send('Logout', this.content.sessionManager, {}, {});
      logger.info('vCenter logout', { vcenter: this.transport.url });
    } catch (err) {
      // Already gone is as good as logged out; anything else is worth a line but must not block shutdown.
      if (!(err instanceof NotAuthenticatedFault))
        logger.warn('vCenter logout failed', { vcenter: this.transport.url, error: (err as Error).message });
    } finally {
      this.active = false;
      this.#cookie = undefined;
    }
  }

  /** The session as vCenter sees it; undefined when it does not know this session (expired or logged out). */
  async currentSession(): Promise<UserSession | undefined> {
    const content = await this.retrieveServiceContent();
    if (!this.active) return undefined;
    let rv: XmlNode | undefined;
    try {
      rv = await this.send(
        'RetrievePropertiesEx',
        content.propertyCollector,
        {
          specSet: {
            propSet: { type: 'SessionManager', all: false, pathSet: 'currentSession' },
            objectSet: { obj: content.sessionManager },
          },
          options: {},
        },
        { idempotent: true },
      );
    } catch (err) {
      if (err instanceof NotAuthenticatedFault) return undefined;
      throw err;
    }
    const prop = retrieveResult(rv).objects[0]?.propSet.find((p) => p.name === 'currentSession');
    return prop?.val as UserSession | undefined;
  }

  /** Calls a vim25 method; returns its <returnval> element (undefined for void methods and null results). */
  async call(method: string, self: MoRef, args: Args, o: CallOptions = {}): Promise<XmlNode | undefined> {
    const authenticated = o.authenticated ?? true;
    if (authenticated && !this.active) await this.login();
    const generation = this.logins;
    try {
      return await this.send(method, self, args, o);
    } catch (err) {
      if (!authenticated || !(await this.lostSession(err, o))) throw err;
      logger.info('vCenter session expired, logging in again', { vcenter: this.transport.url, method });
      if (this.logins === generation) {
        this.active = false;
        await this.login();
      } // else a concurrent call already logged in again: just use its session
      if (o.sessionBound) throw sessionLostDuring(method, err);
      return await this.send(method, self, args, o);
    }
  }

  /**
   * Whether a failure means the session is gone. Besides NotAuthenticated: a session-scoped object
   * (`session[...]`) reported missing, which is how a server that forgot the session may answer — asked
   * back with currentSession, since the object may simply have been destroyed.
   */
  private async lostSession(err: unknown, o: CallOptions): Promise<boolean> {
    if (err instanceof NotAuthenticatedFault) return true;
    if (!o.sessionBound || !(err instanceof ManagedObjectNotFoundFault) || !err.obj?.value.startsWith('session[')) return false;
    return (await this.currentSession().catch(() => undefined)) === undefined;
  }

  private async doLogin(): Promise<UserSession> {
    const content = await this.retrieveServiceContent();
    const { username, password } = typeof this.#credentials === 'function' ? await this.#credentials() : this.#credentials;
    // A Login carrying a live session cookie is refused; a dead one is useless. Start clean.
    this.#cookie = undefined;
    const rv = await this.send('Login', content.sessionManager, { userName: username, password }, {});
    this.active = true;
    this.logins++;
    logger.info('vCenter login', { vcenter: this.transport.url, user: username, session_generation: this.logins });
    if (!rv) throw new VSphereProtocolError('Login returned no session');
    return decodeValue(rv, 'UserSession') as UserSession;
  }

  private async send(method: string, self: MoRef, args: Args, o: CallOptions): Promise<XmlNode | undefined> {
    const xml = requestEnvelope(method, self, args);
    const timeoutMs = o.timeoutMs ?? this.options.requestTimeoutMs;
    const started = performance.now();
    const response = await this.resilience.run(o.idempotent ?? false, async () => {
      const res = await this.transport.post(xml, {
        soapAction: `urn:vim25/${this.soapVersion}`,
        cookie: this.#cookie === undefined ? undefined : `${COOKIE}=${this.#cookie}`,
        timeoutMs,
        method,
      });
      this.keepCookie(res.setCookie);
      const body = responseBody(res.body, method); // throws the typed fault
      if (!body) throw new VSphereHttpError(this.transport.url, res.status, res.body.slice(0, 200).replace(/\s+/g, ' '));
      return body;
    });
    logger.debug('vCenter call', { vcenter: this.transport.url, method, duration_ms: Math.round(performance.now() - started) });
    const returnval = child(response, 'returnval');
    o.check?.(returnval);
    return returnval;
  }

  private keepCookie(setCookie: string[]): void {
    for (const line of setCookie) {
      const m = /^\s*vmware_soap_session=([^;]*)/.exec(line);
      if (m) this.#cookie = m[1];
    }
  }
}
