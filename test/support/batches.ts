// A property test's delivery cut into batches, and the clocks the property
// tests over SQL run under.
import fc from "fast-check";
import type { LifecycleEvent } from "../../lib/presence/types";
import { deliveryArbitrary, historyArbitrary, type HistoryOptions } from "./presence-arbitraries";

/** Batch sizes for `inBatches`: from single events to batches of eight. */
export const batchSizesArbitrary = fc.array(fc.integer({ min: 1, max: 8 }), {
  minLength: 1,
  maxLength: 20,
});

/**
 * A history, any delivery of it (reordered, up to six duplicates) and the
 * sizes of the batches to cut that delivery into (`inBatches`).
 */
export function batchedDeliveryArbitrary(
  options: HistoryOptions,
): fc.Arbitrary<[LifecycleEvent[], LifecycleEvent[], number[]]> {
  return historyArbitrary(options).chain((events) =>
    fc.tuple(
      fc.constant(events),
      deliveryArbitrary(events, { maxDuplicates: 6 }),
      batchSizesArbitrary,
    ),
  );
}

/** A delivery cut into consecutive batches, their sizes taken from `sizes` in turn (cycling). */
export function inBatches<T>(delivery: readonly T[], sizes: readonly number[]): T[][] {
  const batches: T[][] = [];
  for (let i = 0, k = 0; i < delivery.length; k += 1) {
    const size = sizes[k % sizes.length]!;
    batches.push(delivery.slice(i, i + size));
    i += size;
  }
  return batches;
}

/** A delivery cut into consecutive batches at `cuts` (positions, taken modulo its length + 1). */
export function sliceAtCuts<T>(delivery: readonly T[], cuts: readonly number[]): T[][] {
  const bounds = [...new Set([0, ...cuts.map((c) => c % (delivery.length + 1)), delivery.length])];
  bounds.sort((a, b) => a - b);
  const slices: T[][] = [];
  for (let i = 0; i + 1 < bounds.length; i += 1)
    slices.push(delivery.slice(bounds[i], bounds[i + 1]));
  return slices;
}

/**
 * The clocks a property test over SQL runs under: milliseconds, and a coarse
 * one that makes equal timestamps common, so every tie-break of the SQL must
 * match the model's.
 */
export const CLOCKS: readonly { clock: string; options: HistoryOptions }[] = [
  { clock: "ms clock", options: {} },
  { clock: "1-minute clock", options: { timestampGranularityMs: 60_000 } },
];
