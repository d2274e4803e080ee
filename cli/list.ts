/** A command that lists one page of a collection: its filters and the paging options become the query, the page a table. */
import type { Command } from 'commander';
import { query } from './client';
import { action, type Ctx } from './context';
import { type Column, page } from './output';

type PageOptions = { limit?: string; nextToken?: string };
type Params = Record<string, string | undefined>;

/** `--limit` and `--next-token` on a command that lists a page. */
export const paged = (cmd: Command) =>
  cmd.option('--limit <n>', 'items per page').option('--next-token <token>', 'the page after the one that printed it');

/**
 * Lists `path` (a path, or one built from the command's argument) with `params(options)` as filters. Positional
 * arguments come first in commander's call, then the options: `path` gets the argument when there is one.
 */
export function listAction<T, O extends object>(path: string | ((arg: string) => string), params: (o: O) => Params, columns: Column<T>[]) {
  const list = async ({ api, out }: Ctx, base: string, o: O & PageOptions) => {
    const q = query({ ...params(o), limit: o.limit, next_token: o.nextToken });
    const r = await api.call<{ items: T[]; next_token?: string | null }>('GET', `${base}${q}`);
    out.print(r, () => page(r, columns));
  };
  return typeof path === 'string'
    ? action(async (c, o: O & PageOptions) => list(c, path, o))
    : action(async (c, arg: string, o: O & PageOptions) => list(c, path(arg), o));
}
