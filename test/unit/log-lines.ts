/**
 * The service's log lines (one JSON object per line, stdout and stderr) written during each test of a file.
 * The file sets LOG_LEVEL before the logger loads (vi.hoisted): each invocation resets the logger to it.
 */
import { afterEach, beforeEach, type MockInstance, vi } from 'vitest';

export type LogLine = Record<string, unknown>;

export function logLinesOfEachTest(): { readonly lines: LogLine[] } {
  let lines: LogLine[] = [];
  let spies: MockInstance[] = [];
  const grab = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line) as LogLine);
    return true;
  };
  beforeEach(() => {
    lines = [];
    spies = [vi.spyOn(process.stdout, 'write').mockImplementation(grab), vi.spyOn(process.stderr, 'write').mockImplementation(grab)];
  });
  afterEach(() => {
    for (const spy of spies) spy.mockRestore();
  });
  return {
    get lines() {
      return lines;
    },
  };
}
