import { describe, expect, it } from 'vitest';
import type { EioCatalog } from '../../infra/cdk/catalog';
import { aslProblems, catalogProblems, placeholdersIn, TRANSIENT_LAMBDA_ERRORS } from '../../infra/cdk/catalog-checks';
import { REPO_ROOT } from '../../infra/cdk/paths';
import { sqsMaxConcurrency } from '../../infra/cdk/worker-pools';
import { FIXTURE_STATE_MACHINES_DIR, TEST_CATALOG } from './fixtures/catalog';

const paths = { repoRoot: REPO_ROOT, stateMachinesDir: FIXTURE_STATE_MACHINES_DIR };
const problems = (change: (c: EioCatalog) => EioCatalog) => catalogProblems(change(TEST_CATALOG), paths);

describe('catalogProblems', () => {
  it('accepts the fixture catalog', () => {
    expect(catalogProblems(TEST_CATALOG, paths)).toEqual([]);
  });

  it('names a missing handler entry', () => {
    const p = problems((c) => ({
      ...c,
      functions: { ...c.functions, 'api-x': { ...c.functions['api-health']!, entry: 'functions/api/nope' } },
    }));
    expect(p).toEqual(['function api-x: entry functions/api/nope.ts does not exist']);
  });

  it('rejects routes to unknown or non-API functions and duplicate routes', () => {
    const p = problems((c) => ({
      ...c,
      routes: [
        ...c.routes,
        { method: 'GET', path: '/a', function: 'nope', role: 'viewer', summary: '' },
        { method: 'GET', path: '/b', function: 'step-probe', role: 'viewer', summary: '' },
        c.routes[0]!,
      ],
    }));
    expect(p).toEqual([
      "route GET /a: unknown function 'nope'",
      "route GET /b: function 'step-probe' is kind 'step', expected 'api'",
      'route GET /api/v1/health: listed twice',
    ]);
  });

  it('rejects a visibility timeout shorter than the worker timeout and oversize batches', () => {
    const p = problems((c) => ({
      ...c,
      workerPools: { ...c.workerPools, ipam: { ...c.workerPools.ipam!, visibilityTimeoutSeconds: 30, batchSize: 11 } },
    }));
    expect(p).toEqual([
      'worker pool ipam: visibilityTimeoutSeconds 30 < worker-ipam timeout 60',
      'worker pool ipam: batchSize must be 1..10',
    ]);
  });

  it('rejects pool names that would clash with a DLQ key in QUEUE_URLS', () => {
    const p = problems((c) => ({ ...c, workerPools: { ...c.workerPools, 'ipam-dlq': { ...c.workerPools.ipam!, queue: 'other' } } }));
    expect(p).toContain('worker pool ipam: name clashes with a dead-letter key in QUEUE_URLS');
    expect(p).toContain('worker pool ipam-dlq: name clashes with a dead-letter key in QUEUE_URLS');
  });

  it('rejects schedules on unknown pools and expressions the local stack could not fire', () => {
    const p = problems((c) => ({
      ...c,
      schedules: {
        bad: { expression: 'every 5 minutes', pool: 'nope', message: {}, whilePaused: 'held', description: '' },
        once: { expression: 'at(2030-01-01T00:00:00)', pool: 'ipam', message: {}, whilePaused: 'held', description: '' },
        fivefields: { expression: 'cron(0 2 * * ?)', pool: 'ipam', message: {}, whilePaused: 'held', description: '' },
      },
    }));
    expect(p).toEqual([
      "schedule bad: unknown pool 'nope'",
      expect.stringMatching(/^schedule bad: Invalid schedule 'every 5 minutes'/),
      expect.stringMatching(/^schedule once: Invalid schedule 'at\(2030/),
      expect.stringMatching(/^schedule fivefields: Invalid schedule .*6 fields/),
    ]);
  });

  it('checks workflow placeholders against tasks in both directions, and the file', () => {
    const p = problems((c) => ({
      ...c,
      workflows: {
        probe: { ...c.workflows.probe!, tasks: { ProbeFunction: 'step-probe', Extra: 'step-record' } },
        missing: { file: 'missing.asl.json', tasks: {}, description: '' },
      },
    }));
    expect(p).toEqual([
      'workflow probe: ${RecordFunction} in probe.asl.json has no task',
      'workflow probe: task Extra is not used in probe.asl.json',
      'workflow missing: missing.asl.json does not exist',
    ]);
  });

  it('applies the ASL rules to every workflow file', () => {
    const p = problems((c) => ({
      ...c,
      workflows: { unguarded: { file: 'unguarded.asl.json', tasks: { ProbeFunction: 'step-probe' }, description: '' } },
    }));
    expect(p).toEqual([
      `workflow unguarded: unguarded.asl.json: state 'Record failure' does not retry ${TRANSIENT_LAMBDA_ERRORS.join(', ')}`,
      "workflow unguarded: unguarded.asl.json: state 'Job failed' names error 'JobFialed', " +
        'neither a Step Functions built-in nor one of WORKFLOW_ERRORS',
    ]);
  });

  it('requires workflow tasks to be step functions', () => {
    const p = problems((c) => ({
      ...c,
      workflows: { probe: { ...c.workflows.probe!, tasks: { ...c.workflows.probe!.tasks, ProbeFunction: 'worker-ipam' } } },
    }));
    expect(p).toEqual(["workflow probe task ProbeFunction: function 'worker-ipam' is kind 'worker', expected 'step'"]);
  });
});

describe('aslProblems', () => {
  const retry = [{ ErrorEquals: [...TRANSIENT_LAMBDA_ERRORS], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 }];
  const task = (extra: Record<string, unknown> = {}) => ({ Type: 'Task', Resource: '${Fn}', Retry: retry, End: true, ...extra });

  it('accepts tasks that retry every transient Lambda error, and known error names', () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: task({
          Catch: [
            { ErrorEquals: ['JobNotActive', 'Lambda.Unknown'], Next: 'B' },
            { ErrorEquals: ['States.ALL'], Next: 'B' },
          ],
        }),
        B: { Type: 'Fail', Error: 'JobFailed' },
      },
    };
    expect(aslProblems(definition)).toEqual([]);
  });

  it('names every Task state, nested ones too, that does not retry the transient Lambda errors', () => {
    const definition = {
      StartAt: 'Record failure',
      States: {
        'Record failure': { Type: 'Task', Resource: '${Fn}', Next: 'Each' },
        Each: {
          Type: 'Map',
          Iterator: { StartAt: 'Item', States: { Item: task({ Retry: [{ ErrorEquals: ['Lambda.ServiceException'] }] }) } },
          Next: 'Off',
        },
        Off: task({ Retry: [{ ErrorEquals: [...TRANSIENT_LAMBDA_ERRORS], MaxAttempts: 0 }] }),
      },
    };
    expect(aslProblems(definition)).toEqual([
      `state 'Record failure' does not retry ${TRANSIENT_LAMBDA_ERRORS.join(', ')}`,
      `state 'Item' does not retry ${TRANSIENT_LAMBDA_ERRORS.slice(1).join(', ')}`,
      `state 'Off' does not retry ${TRANSIENT_LAMBDA_ERRORS.join(', ')}`,
    ]);
  });

  it('names error names that are neither built-in nor shared constants (a typo in ASL or TypeScript)', () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: task({ Catch: [{ ErrorEquals: ['JobNotActiv', 'States.All'], Next: 'B' }] }),
        B: { Type: 'Fail', Error: 'JobFail' },
      },
    };
    expect(aslProblems(definition)).toEqual([
      "state 'A' names error 'JobNotActiv', neither a Step Functions built-in nor one of WORKFLOW_ERRORS",
      "state 'A' names error 'States.All', neither a Step Functions built-in nor one of WORKFLOW_ERRORS",
      "state 'B' names error 'JobFail', neither a Step Functions built-in nor one of WORKFLOW_ERRORS",
    ]);
  });
});

describe('placeholdersIn', () => {
  it('finds each ${Name} once, sorted, ignoring JSONPath and intrinsic syntax', () => {
    expect(placeholdersIn('{"a":"${B}","b":"${A}","c":"${B}","d.$":"States.Format(\'{}\', $.x)"}')).toEqual(['A', 'B']);
  });
});

describe('sqsMaxConcurrency', () => {
  it('clamps pool concurrency to what SQS event sources accept (2..1000)', () => {
    expect([1, 2, 25, 5000].map(sqsMaxConcurrency)).toEqual([2, 2, 25, 1000]);
  });
});
