import type { z } from 'zod';
import type { PageQuery } from '../domain/requests';
import type { Page } from '../ports/store';

export const pageOptions = (q: z.output<typeof PageQuery>) => ({ limit: q.limit, cursor: q.next_token });

/** `next_token` is present only when more items may follow. */
export const pageBody = <T>(page: Page<T>) => ({ items: page.items, next_token: page.cursor ?? null });
