import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VCSIM_TIER } from '../support/vcsim-tier';

const root = fileURLToPath(new URL('../..', import.meta.url));
const testFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [relative(root, join(dir, e.name))] : [],
  );

describe('the vCenter tier list (files left out, loudly, when vcsim is not built)', () => {
  it('names every test file that starts vcsim or uses the demo lab vCenter, and only files that exist', () => {
    const self = relative(root, fileURLToPath(import.meta.url));
    const needVcsim = testFiles(join(root, 'test')).filter(
      // support/maintenance-lab.ts starts vcsim for the files that use it.
      (f) => f !== self && /startVcsim\(|vcsim as vc-001|support\/maintenance-lab'/.test(readFileSync(join(root, f), 'utf8')),
    );
    expect(needVcsim.length).toBeGreaterThan(5);
    expect([...VCSIM_TIER].sort()).toEqual(needVcsim.sort());
    for (const f of VCSIM_TIER) expect(existsSync(join(root, f))).toBe(true);
  });
});
