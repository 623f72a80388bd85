const grouped = new Intl.NumberFormat();

/**
 * Thousands separators follow the operator's locale, which the server does
 * not know: plain digits until hydration, so the server HTML matches.
 */
export function formatCount(value: number, hydrated: boolean): string {
  return hydrated ? grouped.format(value) : String(value);
}

/**
 * A share as a percentage that never reads 0 % for something that happened:
 * whole percent from 10 %, two significant digits below (0.12 %), "< 0.01 %"
 * for a sliver.
 */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0 || part <= 0) return "0 %";
  const percent = Math.min(100, (part / whole) * 100);
  if (percent >= 10) return `${Math.round(percent)} %`;
  if (percent < 0.01) return "< 0.01 %";
  return `${Number(percent.toPrecision(2))} %`;
}
