/**
 * Comparing Dell firmware versions as iDRACs and catalogs write them: dotted numbers of any length and
 * padding (`2.19.1`, `6.00.30.00`, `1.4.13`, `00.2A.2B`), Dell's letter releases (`A07`) and mixed tokens
 * (`4301A56`). Each version is split into runs of digits (compared as numbers, so `6.10` > `6.9` and
 * `6.00` = `6.0`) and runs of letters (compared case-insensitively); a missing trailing number counts as 0,
 * and a version that ended is older than the same with a letter suffix (`1.0` < `1.0a`). Two versions whose
 * schemes differ where they first differ (`A07` against `1.2.3`) cannot be compared.
 */

type Token = number | string;

function tokens(version: string): Token[] {
  const out: Token[] = [];
  for (const run of version
    .trim()
    .toLowerCase()
    .match(/\d+|[a-z]+/g) ?? [])
    out.push(/^\d/.test(run) ? Number(run) : run);
  return out;
}

/** -1, 0 or 1 as `a` is older than, the same as or newer than `b`; undefined when they cannot be compared. */
export function compareFirmwareVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  const ta = tokens(a);
  const tb = tokens(b);
  if (!ta.length || !tb.length) return undefined;
  for (let i = 0; i < Math.max(ta.length, tb.length); i++) {
    const x = ta[i] ?? (typeof tb[i] === 'number' ? 0 : '');
    const y = tb[i] ?? (typeof ta[i] === 'number' ? 0 : '');
    if (typeof x !== typeof y) return undefined;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}
