/** Human-readable tables by default; `--json` prints the API's answer as it came, for scripts. */
export type Column<T> = [header: string, value: (row: T) => unknown];

const cell = (v: unknown): string => (v === undefined || v === null ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function table<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((r) => columns.map(([, f]) => cell(f(r))));
  const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(columns.map(([h]) => h.toUpperCase())), ...cells.map(line)].join('\n');
}

/** Key: value lines of an object's scalar fields, in order. */
export function fields(obj: Record<string, unknown>, keys: string[]): string {
  const width = Math.max(...keys.map((k) => k.length));
  return keys
    .filter((k) => obj[k] !== undefined)
    .map((k) => `${k.padEnd(width)}  ${cell(obj[k])}`)
    .join('\n');
}

/** A page's table, and how to ask for the next page when there is one. */
export function page<T>(r: { items: T[]; next_token?: string | null }, columns: Column<T>[]): string {
  return r.items.length ? table(r.items, columns) + (r.next_token ? `\n(more: --next-token ${r.next_token})` : '') : 'none';
}

export type Output = { json: boolean; print(data: unknown, human: () => string): void; progress(line: string): void };

export const output = (json: boolean): Output => ({
  json,
  print: (data, human) => process.stdout.write(`${json ? JSON.stringify(data, null, 2) : human()}\n`),
  // Progress goes to stderr, so `--json` output stays one document on stdout.
  progress: (line) => process.stderr.write(`${line}\n`),
});
