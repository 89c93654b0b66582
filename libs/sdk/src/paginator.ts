import type { Page } from './types';

export type PageFetcher<T> = (cursor: string | undefined) => Promise<Page<T>>;

/**
 * Walks a cursor-paginated listing lazily, one request per page as it is consumed.
 * `for await (const item of paginator)` yields items; `paginator.pages()` yields whole pages.
 * Every listing route (tenants, faces, persons, audit events…) returns one of these.
 */
export class Paginator<T> implements AsyncIterable<T> {
  constructor(
    private readonly fetchPage: PageFetcher<T>,
    private readonly startCursor?: string,
  ) {}

  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let cursor = this.startCursor;
    for (;;) {
      const page = await this.fetchPage(cursor);
      yield page;
      if (!page.nextCursor) return;
      // A server handing back the cursor it was given would otherwise loop forever.
      if (page.nextCursor === cursor) throw new Error('Pagination did not advance: the server returned the same cursor again');
      cursor = page.nextCursor;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.items;
  }

  /** Every item of every page. Only for listings known to be small. */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}
