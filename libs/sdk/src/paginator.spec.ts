import { Paginator } from './paginator';
import type { Page } from './types';

const pages: Record<string, Page<number>> = {
  start: { items: [1, 2], nextCursor: 'c2' },
  c2: { items: [3], nextCursor: 'c3' },
  c3: { items: [], nextCursor: null },
};

describe('Paginator', () => {
  it('fetches lazily, page by page, following nextCursor', async () => {
    const seen: (string | undefined)[] = [];
    const p = new Paginator<number>(async (cursor) => {
      seen.push(cursor);
      return pages[cursor ?? 'start'];
    });
    const it = p[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe(1);
    expect(seen).toEqual([undefined]);
    expect(await p.toArray()).toEqual([1, 2, 3]);
    expect(seen).toEqual([undefined, undefined, 'c2', 'c3']);
  });

  it('yields whole pages and can start from a cursor', async () => {
    const p = new Paginator<number>(async (cursor) => pages[cursor ?? 'start'], 'c2');
    const got: Page<number>[] = [];
    for await (const page of p.pages()) got.push(page);
    expect(got).toEqual([pages.c2, pages.c3]);
  });

  it('stops instead of looping when the cursor does not advance', async () => {
    const p = new Paginator<number>(async () => ({ items: [1], nextCursor: 'same' }), 'same');
    await expect(p.toArray()).rejects.toThrow(/did not advance/);
  });
});
