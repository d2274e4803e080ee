import dynalite from 'dynalite';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

export type EmbeddedDynamo = {
  /** http://127.0.0.1:<port>, for createDynamoClient({ endpoint }). */
  endpoint: string;
  /** Stops listening and closes the on-disk store, so the same data dir can be opened again. */
  close(): Promise<void>;
};

type LevelDb = { open(): Promise<void>; close(): Promise<void> };
type LevelModule = { Level: new (location: string) => LevelDb };

/**
 * The local stack's DynamoDB: dynalite in-process, LevelDB on disk under `<dataDir>/dynamodb`, so records
 * survive a restart. Loopback only: the local stack has no authentication in front of it.
 */
export async function startEmbeddedDynamo({
  dataDir,
  port = 0,
}: {
  dataDir: string;
  /** 0 picks any free port. */
  port?: number;
}): Promise<EmbeddedDynamo> {
  const dbDir = resolve(dataDir, 'dynamodb');
  await mkdir(dbDir, { recursive: true });
  await assertNotInUse(dbDir);
  // Nothing is provisioned locally, so a new table needn't sit in CREATING for dynalite's default 500 ms.
  const server = dynalite({ path: dbDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  try {
    await listen(server, port);
  } catch (err) {
    // dynalite releases its store only when a listening server closes; bind anywhere to release it.
    await listen(server, 0).then(() => closeServer(server), () => undefined);
    throw err;
  }
  const { port: actualPort } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    close: () => (closing ??= closeServer(server)),
  };
}

/**
 * dynalite opens LevelDB in the background; if another process (a second `npm start`) or another embedded engine in
 * this process holds the directory, that open fails inside dynalite as an uncaught exception and the
 * server hangs. Opening it once ourselves turns that into a clear error before anything starts.
 */
async function assertNotInUse(dbDir: string): Promise<void> {
  // The very `level` dynalite uses, resolved from dynalite itself rather than declared twice.
  const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = requireFromDynalite('level') as LevelModule;
  const probe = new Level(dbDir);
  try {
    await probe.open();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') {
      throw new Error(`${dbDir} is in use by another local stack (or another engine in this process); stop it first`);
    }
    throw err;
  }
  await probe.close();
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((done, fail) => {
    const onError = (err: Error) => fail(err);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      done();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done, fail) => {
    // Node >= 19 also drops idle keep-alive sockets here, so a live SDK client doesn't hold close() open.
    server.close((err) => (err ? fail(err) : done()));
  });
}
