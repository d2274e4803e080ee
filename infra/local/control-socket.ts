/**
 * The running local stack's control socket, `<data dir>/control.sock` (the directory is 0700: only its owner
 * reaches it): `npm run backup` asks the running stack for a backup here, because only the stack's engine
 * thread may read its table. One JSON request per line, one JSON answer per line.
 */
import { rm } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const controlSocketOf = (dataDir: string) => join(dataDir, 'control.sock');

type Handlers = Record<string, () => Promise<unknown>>;

export async function serveControl(path: string, handlers: Handlers): Promise<{ close(): Promise<void> }> {
  await rm(path, { force: true }); // left by a stack that crashed
  const server: Server = createServer((socket) => {
    createInterface({ input: socket }).on('line', async (line) => {
      let answer: unknown;
      try {
        const op = (JSON.parse(line) as { op?: string }).op ?? '';
        const handler = Object.hasOwn(handlers, op) ? handlers[op] : undefined;
        answer = handler ? { ok: true, value: await handler() } : { ok: false, error: `unknown operation '${op}'` };
      } catch (e) {
        answer = { ok: false, error: (e as Error).message };
      }
      socket.end(`${JSON.stringify(answer)}\n`);
    });
  });
  await new Promise<void>((done, fail) => server.once('error', fail).listen(path, () => done()));
  return { close: () => new Promise<void>((done) => server.close(() => done())).then(() => rm(path, { force: true })) };
}

/** Asks a running stack; undefined when none listens there (no socket, or a stale one). */
export function askControl(path: string, op: string): Promise<{ ok: boolean; value?: unknown; error?: string } | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    socket.once('error', (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? resolve(undefined) : reject(e)));
    socket.once('connect', () => socket.write(`${JSON.stringify({ op })}\n`));
    createInterface({ input: socket }).once('line', (line) => resolve(JSON.parse(line)));
  });
}
