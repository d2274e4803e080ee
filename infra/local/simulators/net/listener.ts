import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { SecureVersion } from 'node:tls';
import type { CertMaterial } from '../tls/cert-store';
import { serverTlsVersions } from '../tls/tls-versions';
import { type Fault, FaultSlot, isConnectionFault } from './faults';
import type { Protocol, SimReply, SimRequest } from './http-types';

export interface ListenerOptions {
  host: string;
  /** 0 picks a free port once; the listener keeps it across restarts (reboots, `closed` faults). */
  port: number;
  certificate: CertMaterial;
  wrongCertificate: CertMaterial;
  maxTlsVersion?: SecureVersion;
  /** Which front end answers a path (undefined: plain 404, like the iDRAC web server). */
  dispatch: (path: string) => Protocol | undefined;
  maxBodyBytes?: number;
}

const NOT_FOUND_HTML = '<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>';

/** What clients did to one port, for benchmarks (requests per endpoint). */
export type ListenerStats = { connections: number; requests: number };

/**
 * One HTTPS port of a simulated iDRAC. A raw TCP server accepts first, so connection-level faults
 * (closed, hang, reset, wrong certificate) are decided before TLS; accepted sockets are then handed to
 * one of two HTTPS servers (the endpoint's certificate or the impostor's).
 */
export class FaultableListener {
  readonly faults = new FaultSlot();
  readonly stats: ListenerStats = { connections: 0, requests: 0 };
  private netServer: NetServer | undefined;
  private readonly sockets = new Set<Socket>();
  // TLS sockets cannot send an RST themselves (their handle is not TCP): find the raw socket by client port.
  private readonly rawByPeer = new Map<string, Socket>();
  private readonly primary: HttpsServer;
  // Built on first use: most endpoints never present a wrong certificate, and each server holds a TLS context.
  private impostorServer: HttpsServer | undefined;
  private readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  private boundPort: number;
  private down = false;
  private stopped = false;

  constructor(private readonly options: ListenerOptions) {
    this.boundPort = options.port;
    this.handler = (req, res) =>
      void this.onRequest(req, res).catch(() => {
        if (!res.headersSent) write(res, { status: 500 });
      });
    this.primary = this.httpsServer(options.certificate);
  }

  private httpsServer(certificate: CertMaterial): HttpsServer {
    const server = createHttpsServer(
      { key: certificate.keyPem, cert: certificate.certPem, ...serverTlsVersions(this.options.maxTlsVersion) },
      this.handler,
    );
    server.on('tlsClientError', () => undefined);
    return server;
  }

  private get impostor(): HttpsServer {
    this.impostorServer ??= this.httpsServer(this.options.wrongCertificate);
    return this.impostorServer;
  }

  get host(): string {
    return this.options.host;
  }

  get port(): number {
    return this.boundPort;
  }

  get listening(): boolean {
    return this.netServer !== undefined;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.sync();
  }

  async setFault(fault: Fault | undefined): Promise<void> {
    this.faults.set(fault);
    // Pooled keep-alive connections would hide a connection-level fault: drop them, as a real outage would.
    if (fault && isConnectionFault(fault)) this.dropConnections();
    await this.sync();
  }

  /** The iDRAC is resetting itself: nothing listens until it is back. */
  async setDown(down: boolean): Promise<void> {
    this.down = down;
    await this.sync();
  }

  private shouldListen(): boolean {
    return !this.stopped && !this.down && this.faults.current?.kind !== 'closed';
  }

  private async sync(): Promise<void> {
    if (this.shouldListen() && !this.netServer) await this.listen();
    else if (!this.shouldListen() && this.netServer) await this.close();
  }

  private listen(): Promise<void> {
    const server = createNetServer((socket) => this.onConnection(socket));
    return new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`cannot listen on ${this.options.host}:${this.boundPort}: ${error.code ?? error.message}`)),
      );
      server.listen({ host: this.options.host, port: this.boundPort, exclusive: true, backlog: 511 }, () => {
        const address = server.address();
        if (address && typeof address === 'object') this.boundPort = address.port;
        this.netServer = server;
        resolve();
      });
    });
  }

  private close(): Promise<void> {
    const server = this.netServer;
    this.netServer = undefined;
    this.dropConnections();
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.rawByPeer.clear();
  }

  private onConnection(socket: Socket): void {
    this.stats.connections++;
    this.sockets.add(socket);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.rawByPeer.set(peer, socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.rawByPeer.delete(peer);
    });
    socket.on('error', () => undefined);
    const fault = this.faults.current;
    if (fault?.kind === 'hang' && (fault.stage ?? 'tcp') === 'tcp') return; // accepted, never read
    if (fault?.kind === 'reset' && (fault.stage ?? 'tcp') === 'tcp') {
      socket.resetAndDestroy();
      return;
    }
    (fault?.kind === 'wrong-cert' ? this.impostor : this.primary).emit('connection', socket);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const url = new URL(req.url ?? '/', 'https://simulator.invalid');
    const fault = this.faults.takeForRequest(url.pathname);
    const body = await readBody(req, this.options.maxBodyBytes ?? 32 * 1024 * 1024);
    if (body === undefined) return write(res, { status: 413, body: 'Request Entity Too Large' });
    if (fault?.kind === 'hang') return; // request read, never answered
    if (fault?.kind === 'reset') {
      const raw = this.rawByPeer.get(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
      if (raw) raw.resetAndDestroy();
      else req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (req.socket.destroyed) return;
    }
    const protocol = this.options.dispatch(url.pathname);
    let reply: SimReply;
    if (!protocol) {
      reply = { status: 404, headers: { 'content-type': 'text/html' }, body: NOT_FOUND_HTML };
    } else if (fault?.kind === 'http-error') {
      reply = protocol.serverError(fault.status ?? 500);
    } else {
      const request: SimRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        remoteAddress: req.socket.remoteAddress ?? '',
      };
      reply = await Promise.resolve()
        .then(() => protocol.route(request))
        .catch(() => protocol.serverError(500));
    }
    if (fault?.kind === 'malformed') reply = truncated(reply);
    if (fault?.kind === 'no-body') reply = withoutBody(reply, fault.status);
    write(res, reply);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    req.on('error', () => resolve(Buffer.alloc(0)));
  });
}

/** Half of the real body with the real status and type: JSON or XML that does not parse. */
function truncated(reply: SimReply): SimReply {
  const full = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body ?? '{"');
  const cut = full.subarray(0, Math.max(1, Math.floor(full.length / 2)));
  return { status: reply.status >= 300 ? 200 : reply.status, headers: reply.headers, body: cut };
}

function withoutBody(reply: SimReply, status: number | undefined): SimReply {
  const { 'content-type': _type, ...headers } = reply.headers ?? {};
  return { status: status ?? reply.status, headers };
}

function write(res: ServerResponse, reply: SimReply): void {
  if (res.headersSent || res.destroyed) return;
  const body = reply.body === undefined ? undefined : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body);
  const headers: Record<string, string | number> = { ...reply.headers };
  if (body) headers['content-length'] = body.length;
  res.writeHead(reply.status, headers);
  res.end(body);
}
