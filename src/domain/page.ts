/** The page meta every list answers with: the one builder (`pageMeta`), used by `Page.of` and list services. */
export interface PageMeta {
  current_page: number;
  per_page: number;
  total: number;
  last_page: number;
  /** Keyset lists: the cursor of the next page (null on the last one). */
  next_cursor?: string | null;
  /** Present (true) when `total` is an estimate: counting exactly would have cost more than the page. */
  total_estimated?: boolean;
  /** Sums over the whole filtered list, not only this page (list_payments). */
  totals?: Record<string, unknown>;
}

export function pageMeta(page: number, perPage: number, total: number): PageMeta {
  return { current_page: page, per_page: perPage, total, last_page: Math.max(1, Math.ceil(total / perPage)) };
}

/** A list result: the gateway answers it as `{"ok":true,"data":[…],"meta":{current_page,per_page,total,last_page}}`. */
export class Page<T = unknown> {
  constructor(
    readonly items: T[],
    readonly meta: PageMeta,
  ) {}

  static of<T>(items: T[], page: number, perPage: number, total: number): Page<T> {
    return new Page(items, pageMeta(page, perPage, total));
  }
}
