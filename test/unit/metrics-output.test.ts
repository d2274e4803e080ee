/**
 * When EMF metric lines go to stdout (shared/observability/metrics.ts): in AWS as Powertools decides, on the local
 * stack only when asked for. Each case loads the metrics module afresh under its own environment, as a process
 * starting would.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

/** The EMF lines one published metric prints, in a process started with `env`. */
async function emfLinesWith(env: Record<string, string | undefined>): Promise<string[]> {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  vi.resetModules();
  const { metrics } = await import('../../shared/observability/metrics');
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    metrics.addMetric('JobQueueDepth', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  } finally {
    process.stdout.write = write;
  }
  return lines.filter((l) => l.includes('"_aws"'));
}

describe('EMF metric lines', () => {
  it('are not printed by the local stack at INFO, WARN or ERROR', async () => {
    for (const level of ['INFO', 'WARN', 'ERROR'])
      expect(await emfLinesWith({ EIO_RUNTIME: 'local', LOG_LEVEL: level, POWERTOOLS_METRICS_DISABLED: undefined }), level).toEqual([]);
  });

  it('are printed by the local stack at DEBUG, or when POWERTOOLS_METRICS_DISABLED=false asks for them', async () => {
    expect(await emfLinesWith({ EIO_RUNTIME: 'local', LOG_LEVEL: 'DEBUG', POWERTOOLS_METRICS_DISABLED: undefined })).toHaveLength(1);
    expect(await emfLinesWith({ EIO_RUNTIME: 'local', LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'false' })).toHaveLength(1);
  });

  it('are printed in AWS whatever the log level (how Lambda hands metrics to CloudWatch), unless disabled there', async () => {
    const [line] = await emfLinesWith({ EIO_RUNTIME: 'aws', LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: undefined });
    expect(JSON.parse(line!)).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'EIO' }] }, JobQueueDepth: 1 });
    expect(await emfLinesWith({ EIO_RUNTIME: 'aws', LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' })).toEqual([]);
  });
});
