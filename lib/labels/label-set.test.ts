// client_label_set (one JSON object per labelled client, kept by
// client_label's triggers) equals the label rows it is made of: after any
// sequence of writes, through replaceLabels as the application writes, or
// straight into client_label (insert, update of a value or of a client ID,
// delete, truncate), each labelled client has exactly its labels there and
// a client without labels has no row. The reference is a model of the
// labels in plain JavaScript, not the triggers' SQL.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import type { Labels } from "../../contract/labels";
import { db } from "../db/client";
import { resetDatabase } from "../../test/support/db";
import { runs } from "../../test/support/runs";
import { labelsColumnSql } from "./filter-sql";
import { sql } from "../db/sql";
import { replaceLabels } from "./store";

const CLIENTS = ["a", "b", "c", "d"];
const KEYS = ["site", "fw", "k"];

type Model = Map<string, Labels>;

const labelsArbitrary = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom("1", "2", "x y"), {
  maxKeys: 3,
});

const op = fc.oneof(
  fc.record({
    kind: fc.constant("replace" as const),
    sets: fc.dictionary(fc.constantFrom(...CLIENTS), labelsArbitrary, { minKeys: 1, maxKeys: 3 }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    client: fc.constantFrom(...CLIENTS),
    key: fc.constantFrom(...KEYS),
    value: fc.constantFrom("1", "2"),
  }),
  fc.record({ kind: fc.constant("setValue" as const), key: fc.constantFrom(...KEYS) }),
  fc.record({
    kind: fc.constant("move" as const),
    from: fc.constantFrom(...CLIENTS),
    to: fc.constantFrom(...CLIENTS),
  }),
  fc.record({ kind: fc.constant("deleteKey" as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ kind: fc.constant("truncate" as const) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

async function query(text: string, values: unknown[] = []) {
  return db().pool.query(text, values);
}

/** Applies `o` to the database and to the model. */
async function apply(o: Op, model: Model): Promise<void> {
  switch (o.kind) {
    case "replace": {
      await replaceLabels(new Map(Object.entries(o.sets)));
      for (const [client, labels] of Object.entries(o.sets)) model.set(client, { ...labels });
      return;
    }
    case "insert": {
      // A key the client has already: the row is left alone (one statement, no rows).
      await query(
        `INSERT INTO client_label (client_id, key, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [o.client, o.key, o.value],
      );
      const labels = model.get(o.client) ?? {};
      if (!(o.key in labels)) model.set(o.client, { ...labels, [o.key]: o.value });
      return;
    }
    case "setValue": {
      await query(`UPDATE client_label SET value = 'new' WHERE key = $1`, [o.key]);
      for (const labels of model.values()) if (o.key in labels) labels[o.key] = "new";
      return;
    }
    case "move": {
      // Every row of `from` whose key `to` lacks moves to `to` (a client ID updated).
      await query(
        `UPDATE client_label l SET client_id = $2 WHERE l.client_id = $1 AND $1 <> $2
           AND NOT EXISTS (SELECT 1 FROM client_label t WHERE t.client_id = $2 AND t.key = l.key)`,
        [o.from, o.to],
      );
      if (o.from === o.to) return;
      const from = model.get(o.from) ?? {};
      const to = { ...(model.get(o.to) ?? {}) };
      const kept: Labels = {};
      for (const [k, v] of Object.entries(from)) {
        if (k in to) kept[k] = v;
        else to[k] = v;
      }
      model.set(o.from, kept);
      model.set(o.to, to);
      return;
    }
    case "deleteKey": {
      await query(`DELETE FROM client_label WHERE key = $1`, [o.key]);
      for (const labels of model.values()) delete labels[o.key];
      return;
    }
    case "truncate": {
      await query(`TRUNCATE client_label`);
      model.clear();
      return;
    }
  }
}

async function setRows(): Promise<Record<string, Labels>> {
  const r = await query(`SELECT client_id, labels FROM client_label_set ORDER BY client_id`);
  return Object.fromEntries(r.rows.map((row) => [row.client_id, row.labels]));
}

const expected = (model: Model): Record<string, Labels> =>
  Object.fromEntries(
    [...model.entries()]
      .filter(([, labels]) => Object.keys(labels).length > 0)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );

describe("client_label_set", () => {
  beforeEach(async () => {
    await resetDatabase();
  });

  it("equals each client's labels after any sequence of label writes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        await resetDatabase();
        const model: Model = new Map();
        for (const o of ops) {
          await apply(o, model);
          expect(await setRows()).toEqual(expected(model));
        }
      }),
      { numRuns: runs(60) },
    );
  });

  it("is what the labels column reads: {} for a client without labels", async () => {
    await replaceLabels(new Map([["a", { site: "berlin", fw: "4.1.3" }]]));
    const q = sql`SELECT c, ${labelsColumnSql(sql.raw("c"))} AS labels, ${labelsColumnSql(sql.raw("c"))}::text AS text
                    FROM unnest(${["a", "z"]}::text[]) c ORDER BY c`;
    const r = await query(q.text, q.values);
    expect(r.rows).toEqual([
      // jsonb's text: keys by length, then by bytes.
      {
        c: "a",
        labels: { fw: "4.1.3", site: "berlin" },
        text: '{"fw": "4.1.3", "site": "berlin"}',
      },
      { c: "z", labels: {}, text: "{}" },
    ]);
  });

  it("stays exact under concurrent imports of the same clients", async () => {
    const writes = Array.from({ length: 12 }, (_, i) =>
      replaceLabels(
        new Map(
          CLIENTS.map((c, j): [string, Labels] => [
            c,
            (i + j) % 3 === 0 ? {} : { site: `s${i}`, [`k${j}`]: `${i}` },
          ]),
        ),
      ),
    );
    await Promise.all(writes);
    const truth = await query(`SELECT client_id, key, value FROM client_label`);
    const model: Model = new Map();
    for (const row of truth.rows)
      model.set(row.client_id, { ...(model.get(row.client_id) ?? {}), [row.key]: row.value });
    expect(await setRows()).toEqual(expected(model));
  });
});
