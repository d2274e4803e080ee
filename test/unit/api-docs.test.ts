import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/catalog/routes';

describe('docs/api.md', () => {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r.role] as const))('documents %s with its role', (route, role) => {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${route}\` |`));
    expect(row, `${route} is missing from docs/api.md`).toBeDefined();
    expect(row).toContain(`| ${role} |`);
  });
});
