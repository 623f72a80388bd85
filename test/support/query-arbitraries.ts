// fast-check arbitraries for the read API's query parameters: hostile text,
// numbers and dates at the edges, huge values, and cursors a caller could
// forge from real ones (tampered bytes, other fields, other encodings).
import fc from "fast-check";
import { hostileString } from "./fuzz-arbitraries";

/** Client IDs that break naive URL, CSV, LIKE and HTML handling (the read fuzz seeds these). */
export const AWKWARD_CLIENT_IDS = [
  "plant 7/line-2/ünit",
  'quote"comma,dev',
  "100%",
  "100%41",
  "a%2Fb",
  "under_score\\back",
  "q?x&y=z;",
  "e\u0301 \u202ertl\u200f",
  "😀/👩‍👩‍👧",
  "=cmd|' /C calc'!A0",
  "/",
] as const;

/** Real cursors, read when a property runs (after its file seeded the database). */
export interface RealCursors {
  list: () => readonly string[];
  events: () => string;
}

export const b64 = (s: string) => Buffer.from(s).toString("base64url");

/** Cursors a caller could forge: other fields, other types, tampered bytes, other encodings. */
export function forgedCursorArb(real: RealCursors): fc.Arbitrary<string> {
  const validCursors = { at: (i: number) => real.list()[i] ?? "" };
  return fc.oneof(
    fc
      .record(
        {
          sort: fc.oneof(fc.constantFrom("clientId", "lastChange"), hostileString(8)),
          order: fc.oneof(fc.constantFrom("asc", "desc"), hostileString(4)),
          value: fc.oneof(
            hostileString(20),
            fc.constantFrom(...AWKWARD_CLIENT_IDS),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            fc.constantFrom(
              "-271821-04-20T00:00:00.000Z",
              "+275760-09-13T00:00:00.000Z",
              "0000-01-01T00:00:00.000Z",
              "2026-02-30T00:00:00.000Z",
              "2026",
            ),
          ),
          clientId: fc.oneof(
            hostileString(20),
            fc.constantFrom(...AWKWARD_CLIENT_IDS),
            fc.constant("x".repeat(600)),
          ),
        },
        { requiredKeys: [] },
      )
      .map((c) => b64(JSON.stringify(c))),
    fc.jsonValue({ maxDepth: 3 }).map((v) => b64(JSON.stringify(v))),
    fc
      .tuple(
        fc.constantFrom(0, 1, 2, 3),
        fc.nat(),
        fc.constantFrom("A", "_", "-", "=", "+", "/", "%", "\u0000"),
      )
      .map(([i, n, c]) => {
        const cursor = validCursors.at(i);
        const k = n % Math.max(cursor.length, 1);
        return cursor.slice(0, k) + c + cursor.slice(k + 1);
      }),
    fc
      .tuple(fc.constantFrom(0, 1, 2, 3), fc.nat())
      .map(([i, n]) => validCursors.at(i).slice(0, n % 80)),
    fc
      .constantFrom(0, 1, 2, 3)
      .map((i) => Buffer.from(Buffer.from(validCursors.at(i), "base64url")).toString("base64")),
    fc.string({ unit: fc.constantFrom(..."ABCxyz019-_=+/"), maxLength: 1100 }),
  );
}

/** Values for any parameter: hostile text, numbers, dates, huge values, forged cursors. */
export function paramValueArb(real: RealCursors): fc.Arbitrary<string> {
  return fc.oneof(
    hostileString(40),
    fc.constantFrom(
      "",
      " ",
      "0",
      "-1",
      "1",
      "50",
      "500",
      "501",
      "1e2",
      "1e400",
      "NaN",
      "Infinity",
      "-0",
      "0x10",
      "1.5",
      " 5",
      "９",
      "null",
      "[]",
      "%00",
      "\u0000",
      "online",
      "pending",
      "offline",
      "clientId",
      "lastChange",
      "asc",
      "desc",
      "24h",
      "7d",
      "9223372036854775807",
      "9223372036854775808",
      "99999999999999999999",
      "2026-01-01",
      "2026-13-45",
      "1999-12-31T23:59:59.999Z",
      "2000-01-01T00:00:00.000Z",
      "9999-12-31T23:59:59.999Z",
      "+010000-01-01T00:00:00.000Z",
      "-000001-01-01T00:00:00.000Z",
      "+275760-09-13T00:00:00.000Z",
      "8640000000000000",
      "8640000000000001",
      "Tue, 01 Jan 2030 00:00:00 GMT",
      "2030-01-01T00:00:00+14:00",
      "2026-06-01T12:00:00",
    ),
    fc.integer().map(String),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
    fc.double().map(String),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.date({ noInvalidDate: true }).map((d) => String(d.getTime())),
    fc
      .tuple(
        fc.constantFrom("a", "é", "%", "😀", "0", "\u202e"),
        fc.integer({ min: 1_000, max: 8_000 }),
      )
      .map(([u, n]) => u.repeat(n)),
    forgedCursorArb(real),
  );
}

export const instantTextArb = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => String(d.getTime())),
  fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
  fc.integer({ min: -1e6, max: 1e6 }).map((y) => `${y}-01-01`),
);

/** Values for the parameter `name`: any value, or one aimed at its rare corners. */
export function queryValueArb(name: string, real: RealCursors): fc.Arbitrary<string> {
  const aimed = aimedAt(name, real);
  const any = paramValueArb(real);
  return aimed === undefined ? any : fc.oneof(any, aimed, aimed);
}

function aimedAt(name: string, real: RealCursors): fc.Arbitrary<string> | undefined {
  const AIMED: Record<string, fc.Arbitrary<string>> = {
    cursor: fc.oneof(
      forgedCursorArb(real),
      // A real events cursor, as is or off by a digit (read when the property runs, after seeding).
      fc.nat(9).map((d) => (d === 0 ? real.events() : `${real.events()}${d}`)),
      fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }).map(String),
      fc.constantFrom(
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
        "0",
        "00000000000000000001",
      ),
    ),
    limit: fc.oneof(fc.integer({ min: -10, max: 1_000 }).map(String), fc.double().map(String)),
    from: instantTextArb,
    to: instantTextArb,
    q: fc.oneof(hostileString(20), fc.constantFrom("%", "_", "\\", "%_\\", "\u0000")),
    clientId: fc.oneof(
      hostileString(20),
      fc.constantFrom("\u0000", "x".repeat(129), "é".repeat(65)),
    ),
  };
  return AIMED[name];
}
