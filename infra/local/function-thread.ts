import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FunctionName } from '../../shared/catalog/functions';
import { logger } from '../../shared/observability/logger';
import {
  type ContainerData,
  type FromContainer,
  type Pending,
  remoteError,
  type SharedPort,
  type ToContainer,
  wireError,
} from './function-protocol';

const requireHere = createRequire(import.meta.url);
/** tsx's ESM API, so the thread can load the TypeScript handlers under `npm start`, vitest and plain node alike. */
const TSX_API = pathToFileURL(requireHere.resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
const CONTAINER = new URL('./function-container.ts', import.meta.url).href;

// A failure to start is reported to the main thread, which logs it: the shared logger is not loadable yet.
const BOOT = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { register } = await import(workerData.tsx);
  register();
  await import(workerData.container);
})().catch((error) => {
  parentPort.postMessage({
    type: 'failed',
    error: { name: String(error && error.name || 'Error'), message: String(error && error.message || error) },
  });
  process.exit(1);
});
`;

/**
 * One function hosted in its own worker thread, as Lambda hosts it in its own container: its handler, SDK
 * clients and TLS work run on a core of their own instead of the API's event loop. Used for the discovery
 * pool, whose sweep is thousands of TLS probes and store writes. Started on the first invocation; a thread
 * that dies fails its invocations (the queue delivers their messages again) and the next one starts afresh.
 */
export class FunctionThread {
  private worker?: Worker;
  private ready?: Promise<Worker>;
  private readonly invocations = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly fn: FunctionName,
    /** The main thread's adapters the container reaches through its port. */
    private readonly shared: Record<SharedPort, object>,
  ) {}

  /** Same shape as FunctionInvoker.invoke; `fn` must be this thread's function. */
  invoke(fn: FunctionName, event: unknown): Promise<unknown> {
    if (fn !== this.fn) return Promise.reject(new Error(`this container hosts ${this.fn}, not ${fn}`));
    if (this.closed) return Promise.reject(new Error(`function ${this.fn} is stopped`));
    return this.start().then(
      (worker) =>
        new Promise((resolve, reject) => {
          const id = this.nextId++;
          this.invocations.set(id, { resolve, reject });
          worker.postMessage({ type: 'invoke', id, event } satisfies ToContainer);
        }),
    );
  }

  /** Stops the thread; invocations still running fail (their messages come back, as after a Lambda timeout). */
  async close(): Promise<void> {
    this.closed = true;
    await this.worker?.terminate();
  }

  private start(): Promise<Worker> {
    this.ready ??= new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(BOOT, {
        eval: true,
        workerData: { tsx: TSX_API, container: CONTAINER, fn: this.fn } satisfies ContainerData & Record<string, string>,
      });
      this.worker = worker;
      worker.on('message', (m: FromContainer) => {
        if (m.type === 'ready') resolve(worker);
        else if (m.type === 'failed')
          logger.error('Function container failed to start', { function: this.fn, error: remoteError(m.error) });
        else if (m.type === 'result') this.settle(m);
        else void this.serve(worker, m);
      });
      worker.once('error', (error) => logger.error('Function container thread failed', { function: this.fn, error }));
      worker.once('exit', (code) => {
        reject(new Error(`function ${this.fn} container exited (${code}) before it was ready`));
        this.ready = undefined;
        this.worker = undefined;
        if (!this.closed)
          logger.warn('Function container thread exited; the next invocation starts a new one', { function: this.fn, exit_code: code });
        const lost = [...this.invocations.values()];
        this.invocations.clear();
        for (const p of lost) p.reject(new Error(`function ${this.fn} container exited (${code}) during the invocation`));
      });
    });
    return this.ready;
  }

  private settle(m: Extract<FromContainer, { type: 'result' }>): void {
    const p = this.invocations.get(m.id);
    this.invocations.delete(m.id);
    if (m.ok) p?.resolve(m.value);
    else p?.reject(remoteError(m.error));
  }

  /** A call from the container to one of the shared adapters. */
  private async serve(worker: Worker, m: Extract<FromContainer, { type: 'call' }>): Promise<void> {
    let reply: ToContainer;
    try {
      const target = this.shared[m.target] as Record<string, (...args: unknown[]) => unknown>;
      if (typeof target[m.method] !== 'function') throw new Error(`${m.target} has no method ${m.method}`);
      reply = { type: 'reply', id: m.id, ok: true, value: await target[m.method]!(...m.args) };
    } catch (error) {
      reply = { type: 'reply', id: m.id, ok: false, error: wireError(error) };
    }
    if (this.worker === worker) worker.postMessage(reply);
  }
}
