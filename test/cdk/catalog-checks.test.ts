import { describe, expect, it } from 'vitest';
import type { EioCatalog } from '../../infra/cdk/catalog';
import { catalogProblems, placeholdersIn } from '../../infra/cdk/catalog-checks';
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
    const p = problems((c) => ({ ...c, functions: { ...c.functions, 'api-x': { ...c.functions['api-health']!, entry: 'functions/api/nope' } } }));
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
        bad: { expression: 'every 5 minutes', pool: 'nope', message: {}, description: '' },
        once: { expression: 'at(2030-01-01T00:00:00)', pool: 'ipam', message: {}, description: '' },
        fivefields: { expression: 'cron(0 2 * * ?)', pool: 'ipam', message: {}, description: '' },
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

  it('requires workflow tasks to be step functions', () => {
    const p = problems((c) => ({
      ...c,
      workflows: { probe: { ...c.workflows.probe!, tasks: { ...c.workflows.probe!.tasks, ProbeFunction: 'worker-ipam' } } },
    }));
    expect(p).toEqual(["workflow probe task ProbeFunction: function 'worker-ipam' is kind 'worker', expected 'step'"]);
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
