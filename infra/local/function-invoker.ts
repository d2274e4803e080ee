import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { localFunctionArn } from '../../shared/adapters/workflows/asl';
import { FUNCTIONS, type FunctionName } from '../../shared/catalog/functions';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export class FunctionTimeoutError extends Error {
  constructor(fn: string, seconds: number) {
    super(`Function ${fn} timed out after ${seconds} s`);
    this.name = 'FunctionTimeoutError';
  }
}

/**
 * Calls a function of the catalog the way Lambda would: the module CDK bundles, its exported `handler`,
 * a Lambda-shaped context and the function's own timeout. Modules are imported once (cold start) and kept.
 */
export class FunctionInvoker {
  private readonly loaded = new Map<string, Promise<Handler>>();
  private readonly inFlight = new Set<Promise<unknown>>();

  /**
   * Waits (at most `timeoutMs`) for invocations still running. A stopped execution does not interrupt its
   * running Lambda, in AWS or here, so shutdown lets them finish before the store goes away.
   */
  async settle(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private load(name: FunctionName): Promise<Handler> {
    let handler = this.loaded.get(name);
    if (!handler) {
      const url = pathToFileURL(join(ROOT, `${FUNCTIONS[name].entry}.ts`)).href;
      handler = import(url).then((m: { handler?: Handler }) => {
        if (typeof m.handler !== 'function') throw new Error(`${FUNCTIONS[name].entry} exports no handler`);
        return m.handler;
      });
      this.loaded.set(name, handler);
    }
    return handler;
  }

  async invoke(name: FunctionName, event: unknown): Promise<unknown> {
    const spec = FUNCTIONS[name];
    const handler = await this.load(name);
    const deadline = Date.now() + spec.timeoutSeconds * 1000;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: `eio-${name}`,
      functionVersion: '$LATEST',
      invokedFunctionArn: localFunctionArn(name),
      memoryLimitInMB: String(spec.memoryMb),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/eio-${name}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    let timer: NodeJS.Timeout | undefined;
    const running = handler(event, context);
    this.inFlight.add(running);
    void running.then(
      () => this.inFlight.delete(running),
      () => this.inFlight.delete(running),
    );
    try {
      return await Promise.race([
        running,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new FunctionTimeoutError(name, spec.timeoutSeconds)), spec.timeoutSeconds * 1000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
