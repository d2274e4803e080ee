/**
 * The house limit of 140 columns, enforced on every tracked TypeScript file. Biome's formatter wraps code at
 * 140 but cannot break long string literals, comments or regexes; this test catches those.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX_COLUMNS = 140;
const FOLDERS = ['shared', 'functions', 'infra', 'cli', 'test', 'bench'];

/** `file:line (n columns)` for each line of `text` longer than the limit. */
function longLines(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (line.length > MAX_COLUMNS ? [`${file}:${i + 1} (${line.length} columns)`] : []));
}

function trackedTypeScript(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--', ...FOLDERS.map((f) => `${f}/*.ts`)], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\0').filter((f) => f.endsWith('.ts'));
}

describe('line length', () => {
  it(`keeps every tracked .ts file under ${FOLDERS.join(', ')} within ${MAX_COLUMNS} columns`, () => {
    const files = trackedTypeScript();
    expect(files).toContain('shared/usecases/deps.ts');
    expect(files.flatMap((f) => longLines(f, readFileSync(join(ROOT, f), 'utf8')))).toEqual([]);
  });

  it('names file and line of a line over the limit, and lets one at the limit pass', () => {
    const text = ['short', 'x'.repeat(MAX_COLUMNS), 'y'.repeat(MAX_COLUMNS + 1), ''].join('\n');
    expect(longLines('a/b.ts', text)).toEqual([`a/b.ts:3 (${MAX_COLUMNS + 1} columns)`]);
  });
});
