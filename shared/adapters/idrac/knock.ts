/**
 * The knock: whether anything answers TLS at an address, for the price of a socket. It opens TCP to each
 * port, writes one TLS ClientHello and waits for the first byte back (a ServerHello or an alert): no
 * handshake, no parsing, no certificate, nothing identifying and no credential. A sweep knocks on many
 * addresses at once and gives its CPU-bound probe slots only to those that answer, so an address that accepts
 * TCP and then never answers costs an idle socket instead of a probe slot for the whole connect timeout.
 *
 * The ClientHello is Node's own, captured once from a TLS client writing into a stream that goes nowhere, so
 * a server answers it as it answers the probe that follows.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { KnockResult } from '../../ports/idrac';

let hello: Promise<Buffer> | undefined;

/** The first record a Node TLS client sends: a ClientHello with Node's defaults (TLS 1.2–1.3). */
function clientHello(): Promise<Buffer> {
  hello ??= new Promise<Buffer>((resolve, reject) => {
    const nowhere = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        resolve(Buffer.from(chunk));
        done();
        setImmediate(() => client.destroy()); // the ClientHello may be written before tlsConnect returns
      },
    });
    // Only the first record is kept: no server ever answers this client, so no certificate is ever judged.
    const client = tlsConnect({ socket: nowhere, minVersion: 'TLSv1.2' });
    client.on('error', reject);
  });
  return hello;
}

type PortAnswer = 'answered' | 'refused' | 'silent';

/** Errors of this machine, not of the address knocked on. */
const LOCAL_ERRORS = new Set(['EMFILE', 'ENFILE', 'EADDRNOTAVAIL', 'ENOBUFS', 'ENOMEM']);

function knockPort(address: string, port: number, timeoutMs: number, bytes: Buffer, signal: AbortSignal): Promise<PortAnswer> {
  return new Promise((resolve) => {
    const done = (answer: PortAnswer) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      socket.destroy();
      resolve(answer);
    };
    const stop = () => done('silent');
    const timer = setTimeout(stop, timeoutMs);
    const socket: Socket = netConnect({ host: address, port, noDelay: true });
    signal.addEventListener('abort', stop);
    socket.once('connect', () => socket.write(bytes));
    socket.once('data', () => done('answered'));
    // Refused, reset, closed before a byte came back, no route: nobody answers TLS here. Out of sockets or
    // ports here says nothing of the address: the probe, which reports such errors, decides.
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code && LOCAL_ERRORS.has(e.code) ? 'answered' : 'refused'));
    socket.once('close', () => done('refused'));
  });
}

/**
 * Knocks on the Redfish and the WS-Man port at once; answered as soon as either sends a byte back within
 * `timeoutMs` (the other knock is dropped then). `silent`: something held a port open, or dropped the
 * packets, without answering.
 */
export async function knock(address: string, ports: number[], timeoutMs: number): Promise<KnockResult> {
  const bytes = await clientHello();
  const others = new AbortController();
  const answers = await Promise.all(
    [...new Set(ports)].map(async (port) => {
      const answer = await knockPort(address, port, timeoutMs, bytes, others.signal);
      if (answer === 'answered') others.abort();
      return answer;
    }),
  );
  if (answers.includes('answered')) return { answered: true, silent: false };
  return { answered: false, silent: answers.includes('silent') };
}
