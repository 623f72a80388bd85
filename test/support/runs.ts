// How many runs a property test makes. `npm test` runs each property its full
// count; `npm run check` (TESTS=unit), the inner loop that must stay under a
// minute, runs a fifth of it (at least ten), so every property still runs.
export function runs(full: number): number {
  return process.env.TESTS === "unit" ? Math.max(10, Math.ceil(full / 5)) : full;
}
