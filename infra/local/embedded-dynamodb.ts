import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../shared/adapters/store/dynamodb-client';
import { logger } from '../../shared/observability/logger';

export type EmbeddedDynamo = {
  /**
   * `http://<access key>@127.0.0.1:<port>`, for createDynamoClient({ endpoint }): the engine answers only
   * requests signed with this start's random access key.
   */
  endpoint: string;
  /** Stops listening and closes the on-disk store, so the same data dir can be opened again. */
  close(): Promise<void>;
  /** Writes every LevelDB entry as it is at one instant to `file` (NDJSON of [key, value]); answers the count. */
  exportTo(file: string): Promise<number>;
  /** LevelDB iterators open now: one per Query or Scan still reading; each pins a snapshot while open. */
  openIterators(): Promise<number>;
};

type LevelDb = { open(): Promise<void>; close(): Promise<void> };
type LevelModule = { Level: new (location: string) => LevelDb };

const requireHere = createRequire(import.meta.url);
// The very `level` dynalite uses, resolved from dynalite itself rather than declared twice.
const DYNALITE = requireHere.resolve('dynalite');
const requireFromDynalite = createRequire(DYNALITE);

/**
 * The engine's thread. Plain CommonJS (not a .ts file) so it starts the same under tsx, vitest and node, with
 * nothing to compile. Messages: {ready: port} | {failed: message} out, 'close' in, then {closed} out;
 * {export: file} in, then {exported: count} | {exportFailed: message} out; 'iterators' in, then {openIterators} out.
 *
 * Export (a backup of a running stack) reads LevelDB through one iterator: LevelDB gives an iterator an
 * implicit snapshot, so the file holds the table as it was at one instant while writes go on. Copying the
 * engine's files instead would race its background compaction. The store is caught as dynalite creates it.
 */
const ENGINE_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { timingSafeEqual } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const dbModule = require(path.join(path.dirname(workerData.dynalite), 'db'));
let store;
const create = dbModule.create;
dbModule.create = (options) => {
  store = create(options);
  cacheTableDescriptions(store);
  return store;
};
// dynalite reads and decodes the table's description from LevelDB for every item request, once more per item
// of a batch: more work than reading the item itself. Item requests (getTable(name, cb)) get it from memory
// instead; it is read again after any write of it (table requests, and their status changes later on), and
// one read that raced such a write is not kept. Table requests (getTable(name, false, cb)) always read it.
function cacheTableDescriptions(store) {
  const read = store.getTable;
  const tableDb = store.tableDb;
  const cached = new Map();
  let generation = 0;
  for (const method of ['put', 'del', 'batch']) {
    const write = tableDb[method];
    tableDb[method] = function (...args) {
      generation++;
      cached.clear();
      return write.apply(this, args);
    };
  }
  store.getTable = (name, checkStatus, cb) => {
    if (typeof checkStatus !== 'function') return read(name, checkStatus, cb);
    const done = checkStatus;
    const table = cached.get(name);
    if (table) return setImmediate(done, null, table);
    const asOf = generation;
    read(name, (err, table) => {
      if (!err && asOf === generation) cached.set(name, table);
      done(err, table);
    });
  };
}
const dynalite = require(workerData.dynalite);
const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
// dynalite 4 ends the streams behind Query and Scan with iterator.return(), which abstract-level 3 iterators do
// not have: without it every Query and Scan left its LevelDB iterator open, each pinning that instant's snapshot
// (memtables and table files) until the engine closed; a 30-minute soak's RSS grew by gigabytes. Closing it is
// what return() means. The iterators still open are counted for the 'iterators' message.
let openIterators = 0;
for (const kind of ['keys', 'values']) {
  const make = store.db[kind].bind(store.db);
  store.db[kind] = (options) => {
    const iterator = make(options);
    openIterators++;
    const close = iterator.close.bind(iterator);
    let closed = false;
    iterator.close = () => {
      if (!closed) openIterators--;
      closed = true;
      return close();
    };
    iterator.return ??= () => iterator.close();
    return iterator;
  };
}
// Only the stack's clients: a request must name this start's access key (SigV4 Credential=<key>/...), as
// DynamoDB refuses an unknown one. Other local processes cannot learn it (it lives in this process only).
const engine = server.listeners('request')[0];
server.removeAllListeners('request');
const key = Buffer.from(workerData.key);
const keyOf = (authorization) => Buffer.from(String(authorization || '').split('Credential=')[1]?.split('/')[0] ?? '');
server.on('request', (req, res) => {
  const given = keyOf(req.headers.authorization);
  if (given.length === key.length && timingSafeEqual(given, key)) return engine(req, res);
  req.resume();
  res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
  res.end(JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#UnrecognizedClientException',
    message: 'The security token included in the request is invalid.',
  }));
});
const closeServer = () => new Promise((done) => server.close(() => done()));
server.once('error', async (err) => {
  // dynalite releases its store only when a listening server closes; bind anywhere to release it.
  server.listen(0, '127.0.0.1', async () => {
    await closeServer();
    parentPort.postMessage({ failed: String(err && err.message || err), code: err && err.code });
  });
});
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ ready: server.address().port }));
parentPort.on('message', async (m) => {
  if (m === 'iterators') return parentPort.postMessage({ openIterators });
  if (m && m.export) {
    try {
      const out = fs.createWriteStream(m.export, { mode: 0o600 });
      let count = 0;
      for await (const [key, value] of store.db.iterator()) {
        if (!out.write(JSON.stringify([key, value]) + '\\n')) await new Promise((r) => out.once('drain', r));
        count++;
      }
      await new Promise((done, fail) => out.end((e) => (e ? fail(e) : done())));
      parentPort.postMessage({ exported: count });
    } catch (e) {
      parentPort.postMessage({ exportFailed: String((e && e.message) || e) });
    }
    return;
  }
  if (m !== 'close') return;
  // Node >= 19 also drops idle keep-alive sockets here, so a live SDK client doesn't hold close() open.
  await closeServer();
  parentPort.postMessage({ closed: true });
  parentPort.close();
});
`;

const CLOSE_TIMEOUT_MS = 10_000;

/**
 * The local stack's DynamoDB: dynalite, LevelDB on disk under `<dataDir>/dynamodb`, so records survive a
 * restart. It runs in its own worker thread, as DynamoDB runs outside the functions in AWS: the engine's
 * work (request parsing, LevelDB, index upkeep) gets a core of its own instead of sharing the API's and the
 * workers' event loop. The thread ends with the process. Loopback only, and only for requests signed with
 * a random access key made at each start (in the endpoint URL handed to the stack's clients), so no other
 * local process can read or rewrite approvals or the kill switch through it.
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
  const key = randomBytes(16).toString('hex');
  const worker = new Worker(ENGINE_THREAD, { eval: true, workerData: { dynalite: DYNALITE, path: dbDir, port, key } });
  let closing: Promise<void> | undefined;
  const actualPort = await new Promise<number>((done, fail) => {
    worker.once('message', (m: { ready?: number; failed?: string }) =>
      m.ready !== undefined ? done(m.ready) : fail(new Error(`embedded DynamoDB could not listen on 127.0.0.1:${port}: ${m.failed}`)),
    );
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`embedded DynamoDB thread exited (${code}) before listening`)));
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  worker.on('error', (err) =>
    logger.error('Embedded DynamoDB thread failed; the local stack has no store until restarted', { error: err }),
  );
  worker.on('exit', (code) => {
    if (!closing) logger.error('Embedded DynamoDB thread exited unexpectedly', { exit_code: code });
  });
  const endpoint = `http://${key}@127.0.0.1:${actualPort}`;
  const close = () => (closing ??= closeEngine(worker));
  try {
    await untilOpen(endpoint);
  } catch (err) {
    await close();
    throw new Error(`embedded DynamoDB could not open ${dbDir}: ${(err as Error).message}`, { cause: err });
  }
  const exportTo = (file: string) =>
    new Promise<number>((done, fail) => {
      const onMessage = (m: { exported?: number; exportFailed?: string }) => {
        if (m.exported === undefined && m.exportFailed === undefined) return;
        worker.off('message', onMessage);
        if (m.exportFailed !== undefined) fail(new Error(`embedded DynamoDB export failed: ${m.exportFailed}`));
        else done(m.exported!);
      };
      worker.on('message', onMessage);
      worker.postMessage({ export: file });
    });
  const openIterators = () =>
    new Promise<number>((done) => {
      const onMessage = (m: { openIterators?: number }) => {
        if (m.openIterators === undefined) return;
        worker.off('message', onMessage);
        done(m.openIterators);
      };
      worker.on('message', onMessage);
      worker.postMessage('iterators');
    });
  return { endpoint, close, exportTo, openIterators };
}

/**
 * dynalite listens before LevelDB has finished opening (and locking) its directory. The first request waits
 * for the open, so an engine reported started holds the lock, and a second one is refused as in use.
 */
async function untilOpen(endpoint: string): Promise<void> {
  const client = createDynamoClient({ endpoint, region: 'local' });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
  } finally {
    client.destroy();
  }
}

async function closeEngine(worker: Worker): Promise<void> {
  if (worker.threadId < 0) return; // the thread has ended already
  const closed = new Promise<boolean>((done) => {
    worker.on('message', (m: { closed?: boolean }) => m.closed && done(true));
    worker.once('exit', () => done(true));
    setTimeout(() => done(false), CLOSE_TIMEOUT_MS).unref();
  });
  worker.postMessage('close');
  if (!(await closed)) logger.warn('Embedded DynamoDB did not close in time; stopping its thread', { timeout_ms: CLOSE_TIMEOUT_MS });
  await worker.terminate();
}

/**
 * dynalite opens LevelDB in the background; if another process (a second `npm start`) or another embedded engine in
 * this process holds the directory, that open fails inside dynalite as an uncaught exception and the
 * server hangs. Opening it once ourselves turns that into a clear error before anything starts.
 */
async function assertNotInUse(dbDir: string): Promise<void> {
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
