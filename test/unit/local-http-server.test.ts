import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLocalApiServer } from '../../infra/local/http-server';
import { logger } from '../../shared/observability/logger';
import { waitFor } from '../support/wait';

/** The local API server's own defences, with timeouts short enough for a test. */
const server = createLocalApiServer({
  invoke: async () => ({ statusCode: 200, body: '{}' }),
  verify: async (header) => (header === 'Bearer good' ? { ok: true, claims: {} } : { ok: false, reason: 'no such token' }),
  headersTimeoutMs: 300,
  requestTimeoutMs: 600,
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends `text`, then collects what the server answers until it closes the connection. */
function exchange(text: string): Promise<{ answer: string; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (c: Buffer) => {
      answer += c.toString();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ answer, socket }));
  });
}

describe('local API server', () => {
  it('cuts off a client that never finishes its headers, answering 408 in the error shape', async () => {
    const { answer } = await exchange('GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'request_timeout' } });
  });

  it('cuts off a client that trickles its body', async () => {
    const { answer } = await exchange(
      'POST /api/v1/sites HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\nContent-Length: 100\r\n\r\n{"na',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a client that aborts mid-body is logged as gone, not as an error of the server', async () => {
    const error = vi.spyOn(logger, 'error');
    const info = vi.spyOn(logger, 'info');
    try {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write('POST /api/v1/sites HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\nContent-Length: 100\r\n\r\n{"na', () =>
          socket.destroy(),
        ),
      );
      socket.on('error', () => undefined);
      await waitFor(
        'the abort to be noticed',
        async () => info.mock.calls.some(([message]) => message === 'Client closed the connection before its answer') || undefined,
        5_000,
      );
      expect(error).not.toHaveBeenCalled();
    } finally {
      error.mockRestore();
      info.mockRestore();
    }
  });
});
