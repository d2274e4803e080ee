import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoIdracOptions } from '../../infra/local/demo-lab';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../infra/local/stack';
import type { Role } from '../../shared/domain/roles';
import { waitFor } from './wait';

/**
 * Starts the real local stack (embedded DynamoDB on disk, in-process queues and workflows, the HTTP server)
 * in a temporary data directory and drives it over HTTP, as an operator's curl would.
 */
export type Harness = {
  stack: LocalStack;
  dataDir: string;
  token(role: Role, opts?: { subject?: string; ttlSeconds?: number }): Promise<string>;
  call(
    method: string,
    path: string,
    opts?: { role?: Role; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  restart(): Promise<void>;
  close(): Promise<void>;
};

/**
 * `demoIdracs`: the demo lab's simulated iDRACs; off by default so parallel test files never share their fixed ports.
 * `onStateEvent`: the workflows' state events, for benches that count them.
 */
export async function startHarness(
  opts: { demo?: boolean; dataDir?: string; demoIdracs?: Partial<DemoIdracOptions>; onStateEvent?: LocalStackOptions['onStateEvent'] } = {},
): Promise<Harness> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'eio-test-')));
  const start = () =>
    startLocalStack({ dataDir, port: 0, demo: opts.demo ?? false, demoIdracs: opts.demoIdracs ?? false, onStateEvent: opts.onStateEvent });
  let stack = await start();
  const harness: Harness = {
    get stack() {
      return stack;
    },
    dataDir,
    token: (role, o = {}) => stack.issueToken({ role, subject: o.subject ?? `test-${role}`, ttlSeconds: o.ttlSeconds ?? 600 }),
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      const token = o.token ?? (o.role ? await harness.token(o.role) : undefined);
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | undefined = o.rawBody;
      if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${stack.baseUrl}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async restart() {
      await stack.close();
      stack = await start();
    },
    async close() {
      await stack.close();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A discovery run once it is no longer running (GET /api/v1/dell/discovery-runs/{id}). */
export const untilDiscoveryEnds = (h: Harness, runId: string, timeoutMs: number) =>
  waitFor(
    `discovery run ${runId} to finish`,
    async () => {
      const r = (await h.call('GET', `/api/v1/dell/discovery-runs/${runId}`, { role: 'viewer' })).body;
      return r.status === 'running' ? undefined : r;
    },
    timeoutMs,
  );
