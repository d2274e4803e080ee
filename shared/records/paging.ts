/**
 * Reading a paged query to its end (or until the caller has enough), in one place instead of a cursor loop
 * in every use case: `for await (const page of pages(fetch))` and break when done.
 */
import type { Page } from '../ports/store';

/** Reads one page after the cursor it is given (undefined: the first page). */
export type PageReader<T> = (cursor: string | undefined) => Promise<Page<T>>;

/** Pages from `start` (the first page by default) until the data ends or the caller stops asking. */
export async function* pages<T>(read: PageReader<T>, start?: string): AsyncGenerator<Page<T>> {
  let cursor = start;
  do {
    const page = await read(cursor);
    yield page;
    cursor = page.cursor;
  } while (cursor);
}

/** Every item, page after page: for sweeps and small partitions, not for request paths over large ones. */
export async function* eachItem<T>(read: PageReader<T>): AsyncGenerator<T> {
  for await (const page of pages(read)) yield* page.items;
}

/** Every item in a list. */
export async function allItems<T>(read: PageReader<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of eachItem(read)) all.push(item);
  return all;
}
