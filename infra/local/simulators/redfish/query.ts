import type { Json } from '../fixtures/load';

type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `$expand` on collections (the capture advertises ExpandQuery with MaxLevels 1): `*`, `.` or `~`, with an
 * optional `($levels=1)`, replace each member link by the member itself. `$select` keeps the named
 * top-level properties plus the `@odata` annotations.
 */
export async function applyQuery(body: Json, query: URLSearchParams, resolve: (path: string) => Promise<Json | undefined>): Promise<Json> {
  let out = body;
  const expand = query.get('$expand');
  if (expand && /^[*.~](\(\$levels=1\))?$/.test(expand) && isObject(out) && Array.isArray(out.Members)) {
    const expanded = await Promise.all(
      out.Members.map(async (member) => {
        const path = isObject(member) && typeof member['@odata.id'] === 'string' ? member['@odata.id'] : undefined;
        return (path && (await resolve(path))) ?? member;
      }),
    );
    out = { ...out, Members: expanded };
  }
  const select = query.get('$select');
  if (select && isObject(out)) {
    const keep = new Set(select.split(',').map((s) => s.trim()));
    const obj: JsonObject = out;
    out = Object.fromEntries(Object.entries(obj).filter(([key]) => key.startsWith('@odata.') || keep.has(key)));
  }
  return out;
}
