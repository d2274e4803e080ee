/**
 * The service's log lines (one JSON object per line, stdout and stderr) written while a test runs. The test
 * file sets LOG_LEVEL before the logger loads (vi.hoisted): each invocation resets the logger to that level.
 */
import { type MockInstance, vi } from 'vitest';

export type LogLine = Record<string, unknown>;

export function captureLogLines(): { lines: LogLine[]; restore(): void } {
  const lines: LogLine[] = [];
  const grab = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line) as LogLine);
    return true;
  };
  const spies: MockInstance[] = [
    vi.spyOn(process.stdout, 'write').mockImplementation(grab),
    vi.spyOn(process.stderr, 'write').mockImplementation(grab),
  ];
  return {
    lines,
    restore() {
      for (const spy of spies) spy.mockRestore();
    },
  };
}
