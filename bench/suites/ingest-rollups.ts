// The ingest suite's figures for what the rollups and the partitioned event
// table cost: the direct transaction (b) in each variant, paired run by run.
import { measured, pairedRatio, type Figure } from "../lib/report";

export interface DirectRates {
  /** (b) both rollups maintained, as in production. */
  direct: number[];
  /** (b1) without the availability rollup. */
  directNoAvailability: number[];
  /** (b2) without the online chart's rollup. */
  directNoRollup: number[];
  /** (b0) with neither. */
  directNoRollups: number[];
  /** (b') both rollups, into an unpartitioned event table (the ingest suite only). */
  directFlat?: number[];
  /**
   * (b*) both rollups, every client through the rollups' statements (the
   * fast path off): what a batch whose events arrive out of order costs
   * (the ingest-rollups suite only).
   */
  directNoFast?: number[];
}

export function rollupFigures(
  section: string,
  directM: ReturnType<typeof measured>,
  r: DirectRates,
): Figure[] {
  const noRollupsM = measured(
    "(b0) storeBatch direct, without either rollup",
    "ev/s",
    r.directNoRollups,
  );
  const toNone = pairedRatio(r.direct, r.directNoRollups);
  const availabilityOnly = pairedRatio(r.directNoRollup, r.directNoRollups);
  const figures: Figure[] = [
    {
      section,
      ...directM,
      name: "(b) with both rollups maintained vs (b0) without either",
      baseline: noRollupsM,
      ratioToBaseline: toNone,
      target: { text: "≥ 85% of (b0)", met: toNone >= 0.85 },
    },
    {
      section,
      ...measured(
        "(b2) storeBatch direct, without the online chart's rollup",
        "ev/s",
        r.directNoRollup,
      ),
      name: "(b2) with the availability rollup maintained vs (b0) without either",
      baseline: noRollupsM,
      ratioToBaseline: availabilityOnly,
      target: { text: "≥ 85% of (b0)", met: availabilityOnly >= 0.85 },
    },
    {
      section,
      ...measured(
        "(b1) storeBatch direct, without the availability rollup",
        "ev/s",
        r.directNoAvailability,
      ),
      name: "(b1) with the online chart's rollup maintained vs (b0) without either",
      baseline: noRollupsM,
      ratioToBaseline: pairedRatio(r.directNoAvailability, r.directNoRollups),
    },
  ];
  if (r.directNoFast !== undefined)
    figures.push({
      section,
      ...measured(
        "(b*) storeBatch direct, both rollups, every client by the statements",
        "ev/s",
        r.directNoFast,
      ),
      name: "(b*) both rollups, no client settled by arithmetic (as out-of-order events) vs (b0)",
      baseline: noRollupsM,
      ratioToBaseline: pairedRatio(r.directNoFast, r.directNoRollups),
    });
  if (r.directFlat === undefined) return figures;
  const toFlat = pairedRatio(r.direct, r.directFlat);
  figures.push({
    section,
    ...directM,
    name: "(b) on the month-partitioned event table vs (b') unpartitioned",
    baseline: measured("(b') storeBatch direct, event table unpartitioned", "ev/s", r.directFlat),
    ratioToBaseline: toFlat,
    target: { text: "≥ 90% of (b')", met: toFlat >= 0.9 },
  });
  return figures;
}
