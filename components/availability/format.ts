/** Availability as a percentage with one decimal (99.9 % is not 100 %). */
export function formatAvailability(value: number | null): string {
  if (value === null) return "—";
  const pct = Math.floor(value * 1000) / 10;
  return `${pct.toFixed(1)} %`;
}

/** The bar colour of an availability: green, amber, red; grey when nothing was observed. */
export function availabilityTone(value: number | null): string {
  if (value === null) return "bg-slate-200 dark:bg-slate-700";
  if (value >= 0.99) return "bg-emerald-500 dark:bg-emerald-400";
  if (value >= 0.9) return "bg-amber-500 dark:bg-amber-400";
  return "bg-red-500 dark:bg-red-400";
}
