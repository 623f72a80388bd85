// Label selectors in SQL ↔ reference: a client_offline rule that selects by
// label fires and resolves exactly the reference's alerts (matchesSelector
// over the labels at each tick), also when labels change between passes.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import { replaceLabels, setLabels } from "../labels/store";
import { simulateOffline, ticksFor, twoBurstsArbitrary } from "../../test/support/alert-simulation";
import {
  dropClients,
  evaluateAt,
  evaluateThroughTicks,
  insertRule,
  resetPresenceAndAlerts,
  splitBursts,
  storedAlerts,
} from "../../test/support/alerts-db";
import { matchesSelector } from "./selector";

type Labels = Record<string, string>;

const labelsArbitrary: fc.Arbitrary<Labels> = fc.record(
  { site: fc.constantFrom("a", "b"), tier: fc.constantFrom("x", "y") },
  { requiredKeys: [] },
);

beforeEach(resetPresenceAndAlerts);

describe("label selectors in SQL ↔ reference", () => {
  it("fire and resolve the reference's alerts, with labels changed between passes", async () => {
    const presence = presenceConfig();
    await fc.assert(
      fc.asyncProperty(
        twoBurstsArbitrary().chain((h) => {
          const clients = [...new Set(h.events.map((e) => e.clientId))];
          const labelling = fc.tuple(...clients.map(() => labelsArbitrary)) as fc.Arbitrary<
            Labels[]
          >;
          return fc
            .record({
              before: labelling,
              after: labelling,
              // The labels change before the tick with this index (past the end: never).
              changeAt: fc.nat({ max: 20 }),
              selector: labelsArbitrary.filter((l) => Object.keys(l).length > 0),
            })
            .map((x) => ({ ...h, clients, ...x }));
        }),
        async ({ received, r1, r2, forMs, clients, before, after, changeAt, selector }) => {
          await resetPresenceAndAlerts();
          const ruleId = await insertRule({
            kind: "client_offline",
            forSeconds: forMs / 1000,
            labels: selector,
          });
          const byClient = (labels: Labels[]) =>
            new Map(clients.map((id, i) => [id, labels[i] ?? {}]));
          await replaceLabels(byClient(before));
          const ticks = ticksFor(r1, r2, forMs, presence);
          const changeTick = ticks[changeAt] ?? Number.POSITIVE_INFINITY;
          const { first, second } = splitBursts({ received, r1, r2 });
          await evaluateThroughTicks({ first, r1, second, r2 }, ticks, async (tick) => {
            if (tick === changeTick) await replaceLabels(byClient(after));
          });
          const labelsAt = (id: string, tick: number) =>
            byClient(tick >= changeTick ? after : before).get(id) ?? {};
          expect(await storedAlerts(ruleId)).toEqual(
            simulateOffline(received, ticks, forMs, presence, (id, tick) =>
              matchesSelector({ labels: selector }, id, labelsAt(id, tick)),
            ),
          );
        },
      ),
      { numRuns: 60 },
    );
  }, 300_000);

  it("a label added to a client long offline fires at the next pass; removing it resolves", async () => {
    const ruleId = await insertRule({ kind: "client_offline", labels: { site: "depot" } });
    await dropClients(["dev-1", "dev-2"]);
    await setLabels("dev-2", { site: "depot" });
    await evaluateAt(Date.now());
    expect((await storedAlerts(ruleId)).map((a) => [a.clientId, a.resolvedAt])).toEqual([
      ["dev-2", null],
    ]);
    // The rule's watermark is past dev-1's disconnect: only the label change brings it in.
    await setLabels("dev-1", { site: "depot" });
    await setLabels("dev-2", { site: "hq" });
    await evaluateAt(Date.now());
    const after = await storedAlerts(ruleId);
    expect(after.map((a) => [a.clientId, a.resolvedAt === null])).toEqual([
      ["dev-1", true],
      ["dev-2", false],
    ]);
  });
});
