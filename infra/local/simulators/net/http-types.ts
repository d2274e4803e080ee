import type { IncomingHttpHeaders } from 'node:http';

/** A fully read request, handed to a protocol front end (Redfish or WS-Man). */
export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  remoteAddress: string;
}

/** A reply as data, so the listener can delay, corrupt or replace it when a fault says so. */
export interface SimReply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type SimRoute = (request: SimRequest) => Promise<SimReply> | SimReply;

/** A front end: its routing plus how it answers an injected server error. */
export interface Protocol {
  route: SimRoute;
  serverError(status: number): SimReply;
}
