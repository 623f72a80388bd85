const grouped = new Intl.NumberFormat();

/**
 * Thousands separators follow the operator's locale, which the server does
 * not know: plain digits until hydration, so the server HTML matches.
 */
export function formatCount(value: number, hydrated: boolean): string {
  return hydrated ? grouped.format(value) : String(value);
}
