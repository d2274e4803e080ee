/**
 * Allocations as CSV: `address,site_id,owner,purpose,hostname`, one allocation per line, with a header.
 * Export writes every allocation (or one site's) in address order; import checks every row first (400 naming
 * each bad row, nothing written), then creates or replaces the allocation of each address.
 */
import { ValidationError } from '../domain/errors';
import { AllocationCreate, type AllocationInput } from '../domain/ipam/schemas';
import { eachItem } from '../records/paging';
import { sites } from '../records/sites';
import type { Deps } from './deps';
import { listAllocations, putAllocation } from './ipam-plan';

const COLUMNS = ['address', 'site_id', 'owner', 'purpose', 'hostname'] as const;
const MAX_ROWS = 5000;

const quote = (v: string | undefined) => (v === undefined ? '' : /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export async function exportAllocations(deps: Pick<Deps, 'store' | 'clock' | 'queue'>, siteId?: string): Promise<string> {
  const lines = [COLUMNS.join(',')];
  for await (const a of eachItem((cursor) => listAllocations(deps, { site_id: siteId }, { limit: 200, cursor })))
    lines.push([a.address, a.site_id, a.owner, a.purpose, a.hostname].map(quote).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

export type ImportResult = { created: number; replaced: number };

export async function importAllocations(
  deps: Pick<Deps, 'store' | 'clock' | 'queue'>,
  body: unknown,
  actor: string,
): Promise<ImportResult> {
  if (typeof body !== 'string')
    throw new ValidationError('send the CSV with Content-Type: text/csv', [{ path: 'body', message: 'expected text/csv' }]);
  const [header, ...rows] = parseCsv(body);
  const names = header?.map((h) => h.trim().toLowerCase()) ?? [];
  const missing = COLUMNS.filter((c) => c !== 'hostname' && !names.includes(c));
  if (missing.length)
    throw new ValidationError(`CSV header lacks ${missing.join(', ')}`, [
      { path: 'body[0]', message: `header needs ${COLUMNS.join(',')}` },
    ]);
  if (rows.length > MAX_ROWS)
    throw new ValidationError(`at most ${MAX_ROWS} rows per import`, [{ path: 'body', message: `${rows.length} rows` }]);
  const problems: { path: string; message: string }[] = [];
  const inputs: AllocationInput[] = [];
  const knownSites = new Map<string, boolean>();
  const seen = new Set<string>();
  for (const [i, row] of rows.entries()) {
    const record = Object.fromEntries(names.map((n, j) => [n, row[j]?.trim() || undefined]));
    const parsed = AllocationCreate.safeParse(record);
    const line = `body[${i + 1}]`;
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ path: `${line}.${issue.path.join('.')}`, message: issue.message });
      continue;
    }
    const site = parsed.data.site_id;
    if (!knownSites.has(site)) knownSites.set(site, await sites.exists(deps.store, site));
    if (!knownSites.get(site)) problems.push({ path: `${line}.site_id`, message: `site '${site}' does not exist` });
    if (seen.has(parsed.data.address)) problems.push({ path: `${line}.address`, message: `${parsed.data.address} appears twice` });
    seen.add(parsed.data.address);
    inputs.push(parsed.data);
  }
  if (problems.length)
    throw new ValidationError(
      `CSV has ${problems.length} problem(s); nothing was imported: ${problems
        .slice(0, 5)
        .map((p) => `${p.path}: ${p.message}`)
        .join('; ')}`,
      problems,
    );
  let created = 0;
  for (const input of inputs) {
    const saved = await putAllocation(deps, input, actor, { replace: true });
    if (saved.version === 1) created++;
  }
  return { created, replaced: inputs.length - created };
}
