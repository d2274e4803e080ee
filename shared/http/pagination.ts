import { z } from 'zod';
import type { Page } from '../ports/store';

/** Cursor pagination on every list: `?limit=` (1–200, default 50) and the `next_token` of the previous page. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  next_token: z.string().min(1).max(4096).optional(),
});

export const pageOptions = (q: z.output<typeof PageQuery>) => ({ limit: q.limit, cursor: q.next_token });

/** `next_token` is present only when more items may follow. */
export const pageBody = <T>(page: Page<T>) => ({ items: page.items, next_token: page.cursor ?? null });
