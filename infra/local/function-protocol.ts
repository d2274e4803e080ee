/** Messages between the local stack and a function container thread (function-thread.ts, function-container.ts). */

/** Adapters the main thread keeps and lends to containers. */
export type SharedPort = 'queue' | 'secrets' | 'workflows' | 'workerPools';

export type ContainerData = { fn: string };

export type WireError = { name: string; message: string; code?: string };

/** A message sent across the port whose answer is awaited. */
export type Pending = { resolve(value: unknown): void; reject(error: Error): void };

export type ToContainer =
  | { type: 'invoke'; id: number; event: unknown }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: WireError };

export type FromContainer =
  | { type: 'ready' }
  | { type: 'failed'; error: WireError }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: WireError }
  | { type: 'call'; id: number; target: SharedPort; method: string; args: unknown[] };

/** What crosses the port of an error: its class name, message and code (no stack, no cause). */
export function wireError(error: unknown): WireError {
  const e = error as { name?: unknown; message?: unknown; code?: unknown } | undefined;
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(error),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
  };
}

export function remoteError(w: WireError): Error {
  const error = new Error(w.message);
  error.name = w.name;
  if (w.code) Object.assign(error, { code: w.code });
  return error;
}
