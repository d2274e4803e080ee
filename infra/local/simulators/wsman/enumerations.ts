import { randomUUID } from 'node:crypto';

interface Enumeration {
  resourceUri: string;
  items: string[];
  offset: number;
  expires: number;
}

const TTL_MS = 5 * 60_000;

/** Open enumeration contexts: a snapshot of the instances, handed out page by page through Pull. */
export class EnumerationContexts {
  private readonly open = new Map<string, Enumeration>();

  /** Stores the rest of a sequence; returns its context, or undefined if nothing is left. */
  openWith(resourceUri: string, items: string[], offset: number): string | undefined {
    this.sweep();
    if (offset >= items.length) return undefined;
    const id = `uuid:${randomUUID()}`;
    this.open.set(id, { resourceUri, items, offset, expires: Date.now() + TTL_MS });
    return id;
  }

  /** The next page; `context` is undefined once the sequence has ended (and the context is closed). */
  pull(id: string, max: number): { resourceUri: string; items: string[]; context?: string } | undefined {
    this.sweep();
    const enumeration = this.open.get(id);
    if (!enumeration) return undefined;
    const items = enumeration.items.slice(enumeration.offset, enumeration.offset + max);
    enumeration.offset += items.length;
    const done = enumeration.offset >= enumeration.items.length;
    if (done) this.open.delete(id);
    return { resourceUri: enumeration.resourceUri, items, context: done ? undefined : id };
  }

  release(id: string): boolean {
    return this.open.delete(id);
  }

  clear(): void {
    this.open.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, e] of this.open) if (e.expires < now) this.open.delete(id);
  }
}
