import { Agent, request } from 'undici';
import { CertificatePinMismatchError, VSphereTimeoutError, VSphereTransportError } from './errors';
import { CERT_VERIFY_CODES, fetchPeerCertificate, normalizeThumbprint, type TlsPolicy, tlsConnectOptions } from './tls-trust';

export interface TransportOptions {
  /** The SDK endpoint, e.g. https://vcenter.example.com/sdk */
  url: string;
  tls: TlsPolicy;
  connectTimeoutMs: number;
  /** Sockets kept to this vCenter; the bulkhead keeps requests at or below this. */
  maxConnections: number;
}

export interface PostOptions {
  soapAction: string;
  cookie?: string;
  timeoutMs: number;
  /** For error messages only. */
  method: string;
}

export interface SoapHttpResponse {
  status: number;
  body: string;
  setCookie: string[];
}

/**
 * HTTP(S) to one vCenter's /sdk: one undici Agent (keep-alive pool) per client, TLS trust per instance.
 * Every failure to get an answer becomes a VSphereTransportError naming the vCenter and what went wrong.
 */
export class SoapTransport {
  private agent?: Promise<Agent>;

  constructor(private readonly options: TransportOptions) {}

  get url(): string {
    return this.options.url;
  }

  async post(xml: string, o: PostOptions): Promise<SoapHttpResponse> {
    const dispatcher = await this.dispatcher();
    const headers: Record<string, string> = {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: o.soapAction,
    };
    if (o.cookie) headers.cookie = o.cookie;
    try {
      const res = await request(this.options.url, {
        method: 'POST',
        body: xml,
        headers,
        dispatcher,
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      const body = await res.body.text();
      const raw = res.headers['set-cookie'];
      return { status: res.statusCode, body, setCookie: raw === undefined ? [] : Array.isArray(raw) ? raw : [raw] };
    } catch (err) {
      throw await this.transportError(err, o);
    }
  }

  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    if (agent) await (await agent.catch(() => undefined))?.close();
  }

  private dispatcher(): Promise<Agent> {
    this.agent ??= this.createAgent().catch((err: unknown) => {
      this.agent = undefined; // a failed probe is retried on the next call
      throw err;
    });
    return this.agent;
  }

  private async createAgent(): Promise<Agent> {
    const { tls, url } = this.options;
    let pem: string | undefined;
    if (tls.kind === 'pinned' && !tls.certificate) {
      const peer = await fetchPeerCertificate(url, this.options.connectTimeoutMs);
      const expected = normalizeThumbprint(tls.thumbprint);
      if (normalizeThumbprint(peer.thumbprint) !== expected) throw new CertificatePinMismatchError(url, expected, peer.thumbprint);
      pem = peer.pem;
    }
    return new Agent({
      connect: { ...tlsConnectOptions(url, tls, pem), timeout: this.options.connectTimeoutMs },
      connections: this.options.maxConnections,
      // One deadline per request (AbortSignal) instead of undici's separate header/body timers.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  private async transportError(err: unknown, o: PostOptions): Promise<Error> {
    const url = this.options.url;
    const pin = findCause(err, (e) => e instanceof CertificatePinMismatchError);
    if (pin) return pin;
    const e = err as Error & { code?: string; name?: string };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.code === 'UND_ERR_ABORTED') {
      return new VSphereTimeoutError(url, o.method, o.timeoutMs);
    }
    const code = errorCode(err);
    if (this.options.tls.kind === 'pinned' && CERT_VERIFY_CODES.has(code)) {
      // A different certificate than the pinned one failed the chain check: name both thumbprints.
      const actual = await fetchPeerCertificate(url, this.options.connectTimeoutMs).then(
        (p) => p.thumbprint,
        () => 'unknown',
      );
      return new CertificatePinMismatchError(url, normalizeThumbprint(this.options.tls.thumbprint), actual);
    }
    return new VSphereTransportError(
      `Connection to vCenter ${url} failed during ${o.method}: ${e?.message ?? String(err)} [${code}]`,
      code,
      {
        cause: err,
      },
    );
  }
}

function findCause(err: unknown, test: (e: unknown) => boolean): Error | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (test(e)) return e as Error;
  return undefined;
}

/** The most specific code in the cause chain: ECONNREFUSED beats undici's generic UND_ERR_SOCKET. */
function errorCode(err: unknown): string {
  const codes: string[] = [];
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes.find((c) => !c.startsWith('UND_ERR')) ?? codes[0] ?? 'UNKNOWN';
}
