import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { db } from "./client";
import { sql } from "./sql";

describe("sql", () => {
  it("numbers interpolated values as parameters in order", () => {
    const q = sql`SELECT * FROM t WHERE a = ${1} AND b = ${"x"}`;
    expect(q.text).toBe("SELECT * FROM t WHERE a = $1 AND b = $2");
    expect(q.values).toEqual([1, "x"]);
  });

  it("renumbers nested fragments where they land", () => {
    const inner = sql`c IN (${"p"}, ${"q"})`;
    const q = sql`SELECT ${0} WHERE ${inner} AND d = ${true} OR ${inner}`;
    expect(q.text).toBe("SELECT $1 WHERE c IN ($2, $3) AND d = $4 OR c IN ($5, $6)");
    expect(q.values).toEqual([0, "p", "q", true, "p", "q"]);
  });

  it("joins fragments with a separator, and an empty list is empty text", () => {
    const q = sql`WHERE ${sql.join([sql`a = ${1}`, sql`b = ${2}`, sql`c`], " AND ")}`;
    expect(q.text).toBe("WHERE a = $1 AND b = $2 AND c");
    expect(q.values).toEqual([1, 2]);
    const none = sql.join([], ", ");
    expect(none.text).toBe("");
    expect(none.values).toEqual([]);
  });

  it("splices raw text and quoted identifiers without binding anything", () => {
    const q = sql`ORDER BY ${sql.identifier('we"ird')} ${sql.raw("DESC")} LIMIT ${5}`;
    expect(q.text).toBe('ORDER BY "we""ird" DESC LIMIT $1');
    expect(q.values).toEqual([5]);
    expect(sql`a${sql.empty}b`.text).toBe("ab");
  });

  it("keeps any value out of the text: every $n matches its value, however fragments nest", () => {
    // A random tree of fragments, values and raw keywords: the rendered text
    // names $1..$n once each in order, and `values` lists exactly the leaves.
    type Tree = { leaf: string } | { raw: string } | { nest: Tree[] };
    const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
      t: fc.oneof(
        { depthSize: "small" },
        fc.record({ leaf: fc.string() }),
        fc.record({ raw: fc.constantFrom("AND", "OR", ",") }),
        fc.record({ nest: fc.array(tie("t"), { maxLength: 4 }) }),
      ),
    })).t;
    const build = (t: Tree, leaves: string[]): ReturnType<typeof sql> => {
      if ("leaf" in t) {
        leaves.push(t.leaf);
        return sql`(${t.leaf})`;
      }
      if ("raw" in t) return sql.raw(` ${t.raw} `);
      return sql`[${sql.join(
        t.nest.map((c) => build(c, leaves)),
        ";",
      )}]`;
    };
    fc.assert(
      fc.property(tree, (t) => {
        const leaves: string[] = [];
        const q = build(t, leaves);
        expect(q.values).toEqual(leaves);
        const numbers = [...q.text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
        expect(numbers).toEqual(leaves.map((_, i) => i + 1));
      }),
    );
  });

  it("runs in PostgreSQL with the values bound, not spliced", async () => {
    const evil = "'); DROP TABLE client_state; --";
    const q = sql`SELECT ${evil}::text AS a, ${sql.join([sql`${2}::int`, sql`${3}::int`], " + ")} AS b`;
    const { rows } = await db().pool.query<{ a: string; b: number }>(q.text, q.values);
    expect(rows).toEqual([{ a: evil, b: 5 }]);
  });
});
