import { type IdracCredential, IdracError, IdracHttpError, type IdracTarget } from '../../../ports/idrac';
import type { IdracLog } from '../options';
import type { HttpRequest, HttpResponse, HttpTransport } from '../transport/http';
import { type JsonObject, parseJson, redfishMessage } from './json';

export interface RedfishResponse extends HttpResponse {
  /** Parsed lazily by `json()`; malformed bodies throw a clear error only when read. */
  json(): JsonObject;
}

/** A request body with its content type (JSON, or a multipart upload built by the caller). */
export interface RawBody {
  type: string;
  data: string | Uint8Array | AsyncIterable<Uint8Array>;
  /** Extra request headers, e.g. If-Match for an upload. */
  headers?: Record<string, string>;
}

type Auth = { kind: 'none' } | { kind: 'session'; token: string; location?: string } | { kind: 'basic' };

// Statuses with which a service says "no session for you" without judging the credential:
// no SessionService (404/405/501) or the iDRAC's session limit (503 RAC0218).
const SESSION_REFUSED = new Set([404, 405, 501, 503]);

// A login answer carrying X-Auth-Token with one of these is a session (some services answer 204 without a body).
const SESSION_OPENED = new Set([200, 201, 204]);

/**
 * One authenticated conversation with one iDRAC's Redfish service, for the length of one port call:
 * a session (POST to the root's Links.Sessions → X-Auth-Token) deleted again at the end, because iDRACs allow
 * only a handful at once and a Lambda may never run again to clean up. A service whose root advertises no
 * session service gets HTTP basic auth and no login POST (whose 401 would say nothing about the credential);
 * one that refuses a session gets basic auth too. A 401 on a session token (expired, iDRAC reset) re-logs in once.
 * Neither the password nor the token ever reaches a log line or an error message.
 */
export class RedfishSession {
  private auth: Auth = { kind: 'none' };
  private opening: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly http: HttpTransport,
    private readonly target: IdracTarget,
    private readonly port: number,
    private readonly credential: IdracCredential,
    private readonly log: IdracLog,
    /** The root's Links.Sessions; undefined when it advertises none. */
    private readonly sessionsPath: string | undefined,
  ) {}

  get mode(): Auth['kind'] {
    return this.auth.kind;
  }

  /** Logs in (or settles on basic auth). 401 → IdracHttpError with code 'credential_rejected'. */
  async open(): Promise<void> {
    const sessionsPath = this.sessionsPath;
    if (!sessionsPath) {
      this.log.debug('Redfish service advertises no session service; using basic auth', { idrac: this.target.address });
      this.auth = { kind: 'basic' };
      return;
    }
    const response = await this.http.send(
      this.target,
      this.port,
      {
        method: 'POST',
        path: sessionsPath,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ UserName: this.credential.username, Password: this.credential.password }),
      },
      // A login is a POST: never retried. A refusal (503 RAC0218) is an answer, not a sick endpoint.
      { retry: false, accept: (r) => SESSION_REFUSED.has(r.status), describe: redfishMessage },
    );
    const token = header(response, 'x-auth-token');
    if (SESSION_OPENED.has(response.status) && token) {
      const location = header(response, 'location');
      this.auth = { kind: 'session', token, location: location ? pathOf(location) : undefined };
      this.log.debug('Redfish session opened', {
        idrac: this.target.address,
        session: location ? pathOf(location).split('/').pop() : undefined,
      });
      return;
    }
    if (SESSION_REFUSED.has(response.status)) {
      const { messageId } = redfishMessage(response.text);
      this.log.info('iDRAC refused a Redfish session; using basic auth', {
        idrac: this.target.address,
        status: response.status,
        message_id: messageId,
      });
      this.auth = { kind: 'basic' };
      return;
    }
    throw this.httpError('POST', sessionsPath, response);
  }

  /** One request with the current authentication; GET and DELETE are retried by the transport. */
  request(method: HttpRequest['method'], path: string, body?: unknown): Promise<RedfishResponse> {
    return this.exchange(method, path, body === undefined ? undefined : { type: 'application/json', data: JSON.stringify(body) });
  }

  /**
   * A request with a body that is not JSON (a multipart upload). A stream can be sent only once, so a 401 on
   * an expired token is not resent: the session is opened first, which makes that unlikely.
   */
  async send(method: HttpRequest['method'], path: string, body: RawBody): Promise<RedfishResponse> {
    await this.ensureOpen();
    return this.exchange(method, path, body);
  }

  private async exchange(method: HttpRequest['method'], path: string, body: RawBody | undefined): Promise<RedfishResponse> {
    await this.ensureOpen();
    let { response, token } = await this.once(method, path, body);
    const replayable = body === undefined || typeof body.data === 'string' || body.data instanceof Uint8Array;
    if (response.status === 401 && token !== undefined && replayable) {
      // Several requests in flight may hit the same dead token: only the first one logs in again.
      if (this.auth.kind === 'session' && this.auth.token === token) {
        this.log.info('Redfish session no longer valid; logging in again', { idrac: this.target.address, path });
        this.auth = { kind: 'none' };
      }
      await this.ensureOpen();
      ({ response } = await this.once(method, path, body));
    }
    if (response.status === 401) throw this.httpError(method, path, response);
    const address = this.target.address;
    let parsed: JsonObject | undefined;
    // An action answered 202/204 without a body succeeded; it just has nothing to say.
    const empty = (response.status === 202 || response.status === 204) && response.text.trim() === '';
    return { ...response, json: () => (parsed ??= empty ? {} : parseJson(response.text, address, path)) };
  }

  /** Concurrent first requests share one login rather than each opening a session. */
  private ensureOpen(): Promise<void> {
    if (this.auth.kind !== 'none') return Promise.resolve();
    // A late request after logout must not open a session nobody would delete.
    if (this.closed)
      return Promise.reject(
        new IdracError('connection_reset', `Redfish session with ${this.target.address} already closed`, this.target.address),
      );
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** GET that must succeed: anything but 2xx is an IdracHttpError. */
  async get(path: string): Promise<JsonObject> {
    const response = await this.request('GET', path);
    if (response.status < 200 || response.status >= 300) throw this.httpError('GET', path, response);
    return response.json();
  }

  /** Deletes the session; best effort (the iDRAC times it out anyway), and allowed while the breaker is open. */
  async close(): Promise<void> {
    this.closed = true;
    const auth = this.auth;
    this.auth = { kind: 'none' };
    if (auth.kind !== 'session' || !auth.location) return;
    try {
      await this.http.send(
        this.target,
        this.port,
        { method: 'DELETE', path: auth.location, headers: { 'x-auth-token': auth.token } },
        { retry: false, breaker: false },
      );
    } catch (error) {
      this.log.warn('Could not delete the Redfish session', { idrac: this.target.address, error: (error as Error).message });
    }
  }

  httpError(method: string, path: string, response: HttpResponse): IdracHttpError {
    const { messageId, detail } = redfishMessage(response.text);
    return new IdracHttpError(this.target.address, response.status, method, path, messageId, detail);
  }

  private async once(
    method: HttpRequest['method'],
    path: string,
    body: RawBody | undefined,
  ): Promise<{ response: HttpResponse; token?: string }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const auth = this.auth;
    if (auth.kind === 'session') headers['x-auth-token'] = auth.token;
    else if (auth.kind === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${this.credential.username}:${this.credential.password}`).toString('base64')}`;
    }
    if (body) Object.assign(headers, body.headers, { 'content-type': body.type });
    const response = await this.http.send(
      this.target,
      this.port,
      { method, path, headers, body: body?.data },
      { retry: method === 'GET' || method === 'DELETE', describe: redfishMessage },
    );
    return { response, token: auth.kind === 'session' ? auth.token : undefined };
  }
}

function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Location may be absolute (`https://idrac/redfish/v1/...`) or a path. */
export function pathOf(location: string): string {
  try {
    const url = new URL(location, 'https://idrac.invalid');
    return url.pathname + url.search;
  } catch {
    return location;
  }
}

/** Runs `fn` in a session that is always closed afterwards, whatever `fn` does. */
export async function withSession<T>(session: RedfishSession, fn: (s: RedfishSession) => Promise<T>): Promise<T> {
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
