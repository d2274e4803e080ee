/**
 * Per-thread memory for a bench that runs the local stack in its own process: the process's RSS covers every
 * thread, but process.memoryUsage().heapUsed only the main one, so growth in the embedded DynamoDB's thread or a
 * function's container thread would show only as RSS. Call watchThreads() before the stack is imported: each
 * eval'd worker thread (how the stack starts its threads) then answers a sample request on a broadcast channel
 * with its own V8 heap. Bench-only: the product starts its threads unchanged.
 */
import { syncBuiltinESMExports } from 'node:module';
import workerThreads, { BroadcastChannel, type WorkerOptions } from 'node:worker_threads';

const CHANNEL = 'eio-bench-thread-memory';

export type ThreadMemory = { thread: string; heapUsed: number; heapTotal: number; external: number; openIterators?: number };

/** The thread's label: what the stack runs there, told by the code it was started with. */
const labelOf = (code: string, data: unknown) =>
  code.includes('dynalite') ? 'dynamodb' : `container:${String((data as { fn?: string } | undefined)?.fn ?? '?')}`;

/**
 * In the engine's thread, LevelDB iterators opened and not yet closed are counted too: an iterator left open pins
 * the memtables and files it saw (native memory that no V8 heap shows).
 */
const ITERATORS = `
  const { ClassicLevel } = require('node:module').createRequire(workerData.dynalite)('classic-level');
  const open = ClassicLevel.prototype._iterator;
  ClassicLevel.prototype._iterator = function (options) {
    const it = open.call(this, options);
    openIterators++;
    const close = it._close;
    it._close = function () { openIterators--; return close.call(this); };
    return it;
  };
`;

const answerer = (label: string) => `{
  const { BroadcastChannel, workerData } = require('node:worker_threads');
  const v8 = require('node:v8');
  let openIterators;
  ${label === 'dynamodb' ? `openIterators = 0;${ITERATORS}` : ''}
  const channel = new BroadcastChannel(${JSON.stringify(CHANNEL)});
  channel.unref();
  channel.onmessage = (e) => {
    if (e.data !== 'sample') return;
    const h = v8.getHeapStatistics();
    channel.postMessage({ thread: ${JSON.stringify(label)}, heapUsed: h.used_heap_size, heapTotal: h.total_heap_size,
      external: h.external_memory, openIterators });
  };
}
`;

export function watchThreads(): { sample(): Promise<ThreadMemory[]>; close(): void } {
  const Original = workerThreads.Worker;
  class Watched extends Original {
    constructor(code: string | URL, options?: WorkerOptions) {
      super(options?.eval && typeof code === 'string' ? answerer(labelOf(code, options.workerData)) + code : code, options);
    }
  }
  workerThreads.Worker = Watched;
  syncBuiltinESMExports();
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  return {
    /** Every live watched thread's heap, gathered for half a second. */
    sample: () =>
      new Promise((done) => {
        const got: ThreadMemory[] = [];
        channel.onmessage = (e) => got.push((e as { data: ThreadMemory }).data);
        channel.postMessage('sample');
        setTimeout(() => done(got.sort((a, b) => a.thread.localeCompare(b.thread))), 500);
      }),
    close: () => channel.close(),
  };
}
