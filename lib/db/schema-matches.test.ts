// prisma/schema.prisma must describe the tables the SQL migrations create: the
// generated client reads and writes through it. Both sides are read here, the
// schema file by a small parser and the migrated database from its catalog,
// so the test keeps holding as migrations and models are added.
import { readFileSync } from "node:fs";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";

interface Column {
  /** PostgreSQL's type name (pg_type.typname), e.g. timestamptz, int8, text. */
  type: string;
  nullable: boolean;
}

interface Index {
  columns: string[];
  /** Per key column: sorted descending. */
  descending: boolean[];
  unique: boolean;
  primary: boolean;
  /** A partial index's condition, as PostgreSQL prints it. */
  where?: string | undefined;
}

interface Table {
  columns: Map<string, Column>;
  indexes: Index[];
}

/** Prisma scalar (and native type attribute) → PostgreSQL type name, as Prisma maps them. */
function pgType(scalar: string, native: string | undefined): string {
  if (native !== undefined) {
    const base = native.replace(/\(.*$/, "");
    const natives: Record<string, string> = {
      Uuid: "uuid",
      Text: "text",
      VarChar: "varchar",
      Char: "bpchar",
      Timestamptz: "timestamptz",
      Timestamp: "timestamp",
      Date: "date",
      Inet: "inet",
      JsonB: "jsonb",
      Json: "json",
      Integer: "int4",
      SmallInt: "int2",
      BigInt: "int8",
      DoublePrecision: "float8",
      Real: "float4",
      Decimal: "numeric",
    };
    const mapped = natives[base];
    if (mapped === undefined) throw new Error(`schema-matches.test.ts: add @db.${base}`);
    return mapped;
  }
  const scalars: Record<string, string> = {
    String: "text",
    Int: "int4",
    BigInt: "int8",
    Boolean: "bool",
    DateTime: "timestamp",
    Json: "jsonb",
    Float: "float8",
    Decimal: "numeric",
    Bytes: "bytea",
  };
  const mapped = scalars[scalar];
  if (mapped === undefined) throw new Error(`schema-matches.test.ts: add Prisma type ${scalar}`);
  return mapped;
}

const quoted = (text: string, attribute: string) =>
  new RegExp(`${attribute}\\("([^"]+)"\\)`).exec(text)?.[1];

/** The tables prisma/schema.prisma describes, keyed by their database names. */
function schemaTables(source: string): Map<string, Table> {
  // What Prisma cannot express (an index on an expression) the schema states
  // in a comment the migration must match: `/// sql-index: unique (lower(username))`.
  const text = source
    .replace(
      /^\s*\/\/\/ sql-index: (unique|index) \((.*?)\)(?: WHERE (.*?))?\s*$/gm,
      (_, kind: string, columns: string, where?: string) =>
        `@@sql-index ${kind} ${JSON.stringify({ columns, where })}`,
    )
    .replace(/\/\/.*$/gm, "");
  const blocks = [...text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const modelNames = new Set(blocks.map((b) => b[1]!));
  const tables = new Map<string, Table>();
  for (const [, model, body] of blocks) {
    const columns = new Map<string, Column>();
    const fieldColumn = new Map<string, string>();
    const indexes: Index[] = [];
    for (const raw of body!.split("\n")) {
      const line = raw.trim();
      const field = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (line.startsWith("@@") || field === null) continue;
      const [, name, type, list, optional, attributes] = field;
      if (modelNames.has(type!)) continue; // a relation, not a column
      const column = quoted(attributes!, "@map") ?? name!;
      fieldColumn.set(name!, column);
      const native = /@db\.(\w+(\([^)]*\))?)/.exec(attributes!)?.[1];
      // A scalar list is an array column: PostgreSQL names its type with a leading underscore.
      const type_ = (list === undefined ? "" : "_") + pgType(type!, native);
      columns.set(column, { type: type_, nullable: optional !== undefined });
      if (/@id\b/.test(attributes!))
        indexes.push({ columns: [column], descending: [false], unique: true, primary: true });
      if (/@unique\b/.test(attributes!))
        indexes.push({ columns: [column], descending: [false], unique: true, primary: false });
    }
    let table = model!;
    for (const raw of body!.split("\n")) {
      const line = raw.trim();
      const map = /^@@map\("([^"]+)"\)/.exec(line);
      if (map) table = map[1]!;
      const sqlIndex = /^@@sql-index (unique|index) (.*)$/.exec(line);
      if (sqlIndex) {
        const { columns, where } = JSON.parse(sqlIndex[2]!) as { columns: string; where?: string };
        const unique = sqlIndex[1] === "unique";
        indexes.push({ columns: [columns], descending: [false], unique, primary: false, where });
      }
      const block = /^@@(id|unique|index)\(\[([^\]]*)\]/.exec(line);
      if (!block) continue;
      const keys = block[2]!.split(",").map((k) => k.trim());
      indexes.push({
        columns: keys.map((k) => {
          const name = k.replace(/\(.*$/, "");
          const column = fieldColumn.get(name);
          if (column === undefined) throw new Error(`${model}: ${line} names no field ${name}`);
          return column;
        }),
        descending: keys.map((k) => /sort:\s*Desc/.test(k)),
        unique: block[1] !== "index",
        primary: block[1] === "id",
      });
    }
    tables.set(table, { columns, indexes });
  }
  return tables;
}

/** The tables of the migrated database (partitions and the migrations table left out). */
async function databaseTables(url: string): Promise<Map<string, Table>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query<{
      table: string;
      column: string;
      type: string;
      nullable: boolean;
    }>(
      `SELECT c.relname AS table, a.attname AS column, t.typname AS type, NOT a.attnotnull AS nullable
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         JOIN pg_type t ON t.oid = a.atttypid
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> '_prisma_migrations'`,
    );
    const indexes = await client.query<{
      table: string;
      columns: string[];
      descending: boolean[];
      unique: boolean;
      primary: boolean;
      where: string | null;
    }>(
      `SELECT c.relname AS table, i.indisunique AS unique, i.indisprimary AS primary,
              pg_get_expr(i.indpred, i.indrelid, true) AS where,
              ARRAY(SELECT pg_get_indexdef(i.indexrelid, k + 1, true)
                      FROM generate_subscripts(i.indkey, 1) k
                     WHERE k < i.indnkeyatts ORDER BY k) AS columns,
              ARRAY(SELECT (i.indoption[k] & 1) = 1 FROM generate_subscripts(i.indoption, 1) k
                     WHERE k < i.indnkeyatts ORDER BY k) AS descending
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> '_prisma_migrations'`,
    );
    const tables = new Map<string, Table>();
    const table = (name: string) => {
      let t = tables.get(name);
      if (t === undefined) tables.set(name, (t = { columns: new Map(), indexes: [] }));
      return t;
    };
    for (const c of columns.rows)
      table(c.table).columns.set(c.column, { type: c.type, nullable: c.nullable });
    for (const i of indexes.rows) {
      table(i.table).indexes.push({
        // A plain column by its name, an expression as SQL: lower(username).
        columns: i.columns.map((c) => c.replace(/^"(.*)"$/, "$1")),
        descending: i.descending,
        unique: i.unique,
        primary: i.primary,
        where: i.where ?? undefined,
      });
    }
    return tables;
  } finally {
    await client.end();
  }
}

const indexKey = (i: Index) =>
  `${i.primary ? "primary key" : i.unique ? "unique" : "index"} (${i.columns
    .map((c, k) => (i.descending[k] ? `${c} DESC` : c))
    .join(", ")})${i.where === undefined ? "" : ` WHERE ${i.where}`}`;

describe("prisma/schema.prisma and the migrated database", () => {
  const schema = schemaTables(readFileSync("prisma/schema.prisma", "utf8"));

  it("parses the schema file (the parser found its models)", () => {
    expect(schema.size).toBeGreaterThan(5);
    for (const [name, table] of schema) expect(table.columns.size, name).toBeGreaterThan(0);
  });

  it("have the same tables, columns, types, nullability and indexes", async () => {
    const database = await databaseTables(inject("databaseUrl"));
    // Both sides as one plain object: a failure lists every difference at once.
    const describe = (tables: Map<string, Table>) =>
      Object.fromEntries(
        [...tables].map(([name, t]) => [
          name,
          {
            // Prisma has no nullable list: a list column's nullability is not compared.
            columns: Object.fromEntries(
              [...t.columns].map(([c, col]) => [
                c,
                col.type.startsWith("_") ? { type: col.type, nullable: "(list)" } : col,
              ]),
            ),
            indexes: t.indexes.map(indexKey).sort(),
          },
        ]),
      );
    expect(describe(database)).toEqual(describe(schema));
  });
});
