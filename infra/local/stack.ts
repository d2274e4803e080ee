import { chmod, mkdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalBackups } from '../../shared/adapters/backups/local-backups';
import { LocalQueue } from '../../shared/adapters/queue/local-queue';
import { LocalFileSecrets } from '../../shared/adapters/secrets/local-file-secrets';
import { ensureTable } from '../../shared/adapters/store/create-table';
import { createDynamoClient } from '../../shared/adapters/store/dynamodb-client';
import { DynamoDbStore } from '../../shared/adapters/store/dynamodb-store';
import { localSubstitutions, parseAsl } from '../../shared/adapters/workflows/asl';
import { LocalWorkflows, type LocalWorkflowsOptions } from '../../shared/adapters/workflows/local-workflows';
import { FUNCTIONS, type FunctionName } from '../../shared/catalog/functions';
import { WORKER_POOLS } from '../../shared/catalog/worker-pools';
import { WORKFLOWS } from '../../shared/catalog/workflows';
import { localDeps } from '../../shared/composition/local-deps';
import { config, resetConfig } from '../../shared/config';
import { provideDeps } from '../../shared/container';
import { logger } from '../../shared/observability/logger';
import { resumeCredentialRotations } from '../../shared/usecases/credential-rotation';
import type { Deps } from '../../shared/usecases/deps';
import { reconcileJobs } from '../../shared/usecases/jobs/reconcile';
import { migrateRecords } from '../../shared/usecases/record-migration';
import { controlSocketOf, serveControl } from './control-socket';
import { backupDataDir, backupsDirOf } from './data-backup';
import { type DemoIdracOptions, seedDemoLab, startDemoIdracs } from './demo-lab';
import { DEMO_VCENTER, startDemoVcenter } from './demo-vcenter';
import { startEmbeddedDynamo } from './embedded-dynamodb';
import { FunctionInvoker } from './function-invoker';
import { FunctionThread } from './function-thread';
import { createLocalApiServer } from './http-server';
import { issueToken, verifyAuthorization } from './jwt';
import { LocalWorkerPools } from './local-worker-pools';
import { LocalScheduler } from './scheduler';
import { loadOrCreateSigningKey } from './signing-key';
import { queueDeclarationFor, type SqsWorkerHandler, WorkerPoolRunner } from './worker-runner';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/**
 * Worker functions that run in a thread of their own, as in a Lambda container of their own: discovery,
 * whose sweeps are thousands of TLS probes and store writes that would otherwise share one event loop with
 * the API. One container, not one per core: on two cores a second one cost more (its own cold start, pools
 * and JIT) than it gained. The others are light and stay in the main thread.
 */
const THREADED_FUNCTIONS: FunctionName[] = ['worker-discovery'];

export type LocalStackOptions = {
  dataDir: string;
  port: number;
  host?: string;
  /** Seed the demo lab on the first start of this data directory. */
  demo: boolean;
  /** With `demo`: the lab's simulated iDRACs (default 3 on 127.0.0.11–13, ports 8443/5986); false: none. */
  demoIdracs?: Partial<DemoIdracOptions> | false;
  /** With `demo`: the lab's vcsim as `vc-001` when built (port 8989; a free one when the stack's port is 0); false: none. */
  demoVcenter?: { port?: number } | false;
  /** Measurements only (the host maintenance bench): told of every state the workflows enter and leave. */
  onStateEvent?: LocalWorkflowsOptions['onStateEvent'];
};

export type LocalStack = {
  baseUrl: string;
  dataDir: string;
  deps: Deps;
  seeded: string[];
  issueToken(opts: { role: string; subject: string; ttlSeconds: number }): Promise<string>;
  close(): Promise<void>;
};

/**
 * The whole of EIO on one machine: the adapters that stand in for AWS, wired to the very handlers, ASL
 * files and tables that CDK deploys. Used by `npm start` and by the integration tests.
 */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  process.env.EIO_RUNTIME = 'local';
  // The data directory holds the table (approvals, the kill switch), the queues and the secrets: only this
  // user may read or change it. Everything created from here on is private (0600 files, 0700 directories).
  process.umask(0o077);
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  await chmod(opts.dataDir, 0o700);
  const dynamo = await startEmbeddedDynamo({ dataDir: opts.dataDir });
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  resetConfig();
  const c = config();
  const closers: (() => Promise<unknown>)[] = [() => dynamo.close()];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch((e: unknown) => logger.warn('Shutdown step failed', { error: e as Error }));
  };
  try {
    const client = createDynamoClient({ endpoint: dynamo.endpoint, region: c.region });
    closers.push(async () => client.destroy());
    await ensureTable(client, c.tableName);
    const store = new DynamoDbStore(client, c.tableName);

    const queue = new LocalQueue({
      queues: Object.entries(WORKER_POOLS).map(([pool, spec]) => queueDeclarationFor(pool, spec)),
      file: join(opts.dataDir, 'queues.json'),
    });
    closers.push(() => queue.close());

    const invoker = new FunctionInvoker();
    closers.push(() => invoker.settle(10_000));
    const workflows = new LocalWorkflows({
      workflows: Object.fromEntries(
        await Promise.all(
          Object.entries(WORKFLOWS).map(async ([name, spec]) => {
            const text = await readFile(resolve(ROOT, 'statemachines', spec.file), 'utf8');
            return [name, { definition: parseAsl(text, localSubstitutions(spec.tasks), spec.file) }] as const;
          }),
        ),
      ),
      invoke: async (arn, payload) => invoker.invoke(functionOfArn(arn), payload),
      onStateEvent: opts.onStateEvent,
    });
    closers.push(async () => workflows.close());

    const secrets = await LocalFileSecrets.open(join(opts.dataDir, 'secrets'));
    const key = await loadOrCreateSigningKey(opts.dataDir);

    // Functions hosted in a thread of their own (function-thread.ts); created once the adapters they share exist.
    const threads = new Map<FunctionName, FunctionThread>();
    const runners = new Map<string, WorkerPoolRunner>();
    for (const [pool, spec] of Object.entries(WORKER_POOLS)) {
      const handler: SqsWorkerHandler = async (event) =>
        (await (threads.get(spec.function) ?? invoker).invoke(spec.function, event)) as Awaited<ReturnType<SqsWorkerHandler>>;
      runners.set(pool, new WorkerPoolRunner({ pool, spec, queue, handler }));
    }

    const deps = localDeps({
      store,
      queue,
      workflows,
      secrets,
      workerPools: await LocalWorkerPools.open(runners, join(opts.dataDir, 'worker-pools.json')),
      backups: new LocalBackups(backupsDirOf(opts.dataDir)),
      probes: {
        workflows: async () => {
          const running = workflows.listRunning();
          return {
            status: 'ok',
            message: `local workflow engine runs ${Object.keys(WORKFLOWS).length} state machine(s); ${running.count} execution(s) running`,
            metrics: { running_executions: running.count },
          };
        },
      },
    });
    provideDeps(deps);
    for (const fn of THREADED_FUNCTIONS)
      threads.set(fn, new FunctionThread(fn, { queue, secrets, workflows, workerPools: deps.workerPools }));
    closers.push(async () => Promise.all([...threads.values()].map((t) => t.close())));
    closers.push(() => deps.idrac.dispose());
    closers.push(() => deps.vcenter.closeAll());

    // As a deploy does in AWS: records stored in an older shape are rewritten before any worker runs.
    await migrateRecords(deps, { onlyIfChanged: true });
    // Runners start only once everything they may call is wired.
    for (const runner of runners.values()) runner.start();
    closers.push(async () => Promise.all([...runners.values()].map((r) => r.stop(10_000))));
    const scheduler = new LocalScheduler(queue);
    scheduler.start();
    const control = await serveControl(controlSocketOf(opts.dataDir), {
      backup: () => backupDataDir({ dataDir: opts.dataDir, exportTable: (file) => dynamo.exportTo(file) }),
      migrate: () => migrateRecords(deps),
    });
    closers.push(() => control.close());
    closers.push(async () => scheduler.stop());

    const demoFleet = opts.demo && opts.demoIdracs !== false ? await startDemoIdracs(opts.dataDir, opts.demoIdracs) : undefined;
    if (demoFleet) closers.push(() => demoFleet.stop());
    const seeded = opts.demo ? await seedDemoLab(deps, opts.dataDir, demoFleet) : [];
    if (opts.demo && opts.demoVcenter !== false) {
      const port = opts.demoVcenter?.port ?? (opts.port === 0 ? 0 : DEMO_VCENTER.port);
      const demoVc = await startDemoVcenter(deps, opts.dataDir, { port, ...(demoFleet ? { idracs: demoFleet } : {}) }).catch(
        (e: unknown) => {
          logger.warn('Demo vCenter (vcsim) did not start; the demo lab has no vc-001', { error: e as Error });
          return undefined;
        },
      );
      if (demoVc && 'missing' in demoVc) logger.warn(demoVc.missing);
      else if (demoVc) {
        seeded.push(...demoVc.seeded);
        closers.push(async () => {
          await deps.vcenter.closeAll();
          await demoVc.stop();
        });
      }
    }
    await reconcileJobs(deps);
    // Rotations whose worker died with the last process carry on from their record's step.
    await resumeCredentialRotations(deps, 0);

    const settings = { issuer: c.auth.issuer, audience: c.auth.audience, roleClaim: c.auth.roleClaim };
    const server = createLocalApiServer({
      invoke: (fn, event) => invoker.invoke(fn, event),
      verify: (header) => verifyAuthorization(header, key, settings),
    });
    await listen(server, opts.port, opts.host ?? '127.0.0.1');
    closers.push(() => closeServer(server));
    const { port } = server.address() as AddressInfo;
    const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : 'localhost';

    return {
      baseUrl: `http://${host}:${port}`,
      dataDir: opts.dataDir,
      deps,
      seeded,
      issueToken: (t) => issueToken(key, settings, t),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

function functionOfArn(arn: string): FunctionName {
  const name = arn.slice(arn.lastIndexOf(':') + 1);
  if (!(name in FUNCTIONS)) throw new Error(`No function behind ${arn}`);
  return name as FunctionName;
}

const listen = (server: Server, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
