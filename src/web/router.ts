/** A parsed location hash: `#/lake?table=silver.games` → `{ page: 'lake', params }`. */
export interface Route {
  readonly page: string;
  readonly params: URLSearchParams;
}

/** The current route (the default page when the hash is empty or unknown). */
export function currentRoute(pages: readonly string[], fallback: string): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = hash.split('?', 2);
  return { page: pages.includes(path) ? path : fallback, params: new URLSearchParams(query) };
}

/** The hash of a page with parameters. */
export function hrefOf(page: string, params: Readonly<Record<string, string | undefined>> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') query.set(key, value);
  const text = query.toString();
  return `#/${page}${text ? `?${text}` : ''}`;
}

/** Updates the current page's parameters without reloading it. */
export function replaceParams(page: string, params: Readonly<Record<string, string | undefined>>): void {
  history.replaceState(null, '', hrefOf(page, params));
}
