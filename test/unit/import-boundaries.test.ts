/**
 * The dependency picture of docs/architecture.md, enforced: each layer of `shared/` may import only the
 * layers listed for it. A use case that reaches for an adapter (or the domain for a port) fails here, not
 * in review.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Which layers a layer may import (itself always; `lib`, pure helpers without I/O of their own, from anywhere).
 * `shared/<folder>` is a layer; the single files at the top of `shared/` (config.ts, container.ts) are layers
 * named after themselves.
 */
const ALLOWED: Record<string, string[]> = {
  lib: [],
  domain: [],
  ports: ['domain'],
  records: ['domain', 'ports', 'config', 'observability'],
  usecases: ['domain', 'ports', 'records', 'catalog', 'jobs', 'config', 'observability'],
  jobs: ['domain', 'ports', 'records', 'usecases', 'observability'],
  catalog: ['domain', 'ports', 'jobs'],
  adapters: ['domain', 'ports', 'catalog', 'config', 'observability'],
  http: ['domain', 'ports', 'catalog', 'config', 'observability'],
  observability: ['config'],
  config: ['domain'],
  composition: ['domain', 'ports', 'adapters', 'usecases', 'records', 'config', 'observability'],
  container: ['usecases', 'composition'],
};

const IMPORT = /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm;

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** The layer of a file under shared/, or undefined outside it. */
function layerOf(file: string): string | undefined {
  const rel = relative(join(ROOT, 'shared'), file);
  if (rel.startsWith('..')) return undefined;
  const [first] = rel.split(/[\\/]/);
  return first!.replace(/\.ts$/, '');
}

/** Relative imports of one source file, as [specifier, layer it lands in] ('outside' beyond shared/). */
function importsOf(file: string, source: string): { specifier: string; layer: string }[] {
  const found: { specifier: string; layer: string }[] = [];
  for (const m of source.matchAll(IMPORT)) {
    const specifier = m[1] ?? m[2] ?? m[3]!;
    if (!specifier.startsWith('.')) continue; // packages and node: builtins are not layers
    const target = resolve(dirname(file), specifier);
    found.push({ specifier, layer: layerOf(target.endsWith('.ts') ? target : `${target}.ts`) ?? 'outside' });
  }
  return found;
}

describe('import boundaries of shared/', () => {
  const violations: string[] = [];
  const layersSeen = new Set<string>();
  for (const file of filesUnder(join(ROOT, 'shared'))) {
    const layer = layerOf(file)!;
    layersSeen.add(layer);
    const allowed = ALLOWED[layer];
    for (const { specifier, layer: target } of importsOf(file, readFileSync(file, 'utf8'))) {
      if (target === layer || (target === 'lib' && layer !== 'lib')) continue;
      if (!allowed?.includes(target)) violations.push(`${relative(ROOT, file)} (${layer}) imports '${specifier}' (${target})`);
    }
  }

  it('every layer of shared/ is in the table', () => {
    expect([...layersSeen].filter((l) => !(l in ALLOWED))).toEqual([]);
  });

  it('no file imports a layer its own may not use (use cases and the domain never import an adapter)', () => {
    expect(violations).toEqual([]);
  });

  it('the check sees real imports: a use case importing an adapter, dynamic and re-exported imports', () => {
    const file = join(ROOT, 'shared', 'usecases', 'example.ts');
    const source = [
      "import { idrac } from '../adapters/idrac/instance';",
      "import type { Deps } from './deps';",
      "export { thing } from '../records/sites';",
      "const later = await import('../composition/aws-deps');",
      "import { z } from 'zod';",
    ].join('\n');
    expect(importsOf(file, source)).toEqual([
      { specifier: '../adapters/idrac/instance', layer: 'adapters' },
      { specifier: './deps', layer: 'usecases' },
      { specifier: '../records/sites', layer: 'records' },
      { specifier: '../composition/aws-deps', layer: 'composition' },
    ]);
    expect(ALLOWED.usecases).not.toContain('adapters');
    expect(ALLOWED.domain).toEqual([]);
    expect(ALLOWED.lib).toEqual([]);
  });
});
