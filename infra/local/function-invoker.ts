/**
 * Calls the functions of the catalog the way Lambda would. This process takes many invocations at once, as a
 * Lambda execution environment does when AWS_LAMBDA_MAX_CONCURRENCY is set: each runs in a scope of Lambda's
 * InvokeStore, where Powertools keeps that invocation's Lambda context (the request id on its log lines),
 * metrics and batch state, instead of on the logger, metrics and batch processors the invocations share.
 */

import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import { localFunctionArn } from '../../shared/adapters/workflows/asl';
import { FUNCTIONS, type FunctionName } from '../../shared/catalog/functions';
import { withDeadline } from '../../shared/lib/async';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const invokeStore = await InvokeStore.getInstanceAsync(true);
invokeStore.run({}, () => undefined);
// One store per process: one made earlier for single invocations (by an AWS SDK request) would mix them.
if (invokeStore.hasContext()) throw new Error('Lambda InvokeStore was set up for one invocation at a time before the local runtime loaded');
// Powertools scopes its state only when this is set; any value says "concurrent invocations".
process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';

/** Runs one invocation in a scope of its own, as the Lambda runtime does. */
export const inInvocationScope = <T>(context: Context, run: () => T): T =>
  invokeStore.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId }, run);

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export class FunctionTimeoutError extends Error {
  constructor(fn: string, seconds: number) {
    super(`Function ${fn} timed out after ${seconds} s`);
    this.name = 'FunctionTimeoutError';
  }
}

/**
 * Calls a function of the catalog: the module CDK bundles, its exported `handler`, a Lambda-shaped context,
 * its own invocation scope and the function's own timeout. Modules are imported once (cold start) and kept.
 */
export class FunctionInvoker {
  private readonly loaded = new Map<string, Promise<Handler>>();
  private readonly inFlight = new Set<Promise<unknown>>();

  /**
   * Waits (at most `timeoutMs`) for invocations still running. A stopped execution does not interrupt its
   * running Lambda, in AWS or here, so shutdown lets them finish before the store goes away.
   */
  async settle(timeoutMs: number): Promise<void> {
    await withDeadline(Promise.allSettled([...this.inFlight]), timeoutMs, () => []);
  }

  private load(name: FunctionName): Promise<Handler> {
    let handler = this.loaded.get(name);
    if (!handler) {
      const url = pathToFileURL(join(ROOT, `${FUNCTIONS[name].entry}.ts`)).href;
      // Module scope (Lambda's init phase) in a scope of its own too: what it leaves in the store (Powertools'
      // batch processor does) must not reach an invocation.
      handler = invokeStore
        .run({}, () => import(url))
        .then((m: { handler?: Handler }) => {
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
    const running = inInvocationScope(context, () => handler(event, context));
    this.inFlight.add(running);
    void running.then(
      () => this.inFlight.delete(running),
      () => this.inFlight.delete(running),
    );
    return withDeadline(running, spec.timeoutSeconds * 1000, () => {
      throw new FunctionTimeoutError(name, spec.timeoutSeconds);
    });
  }
}
