// The typed columns PostgreSQL reads from each stored payload (INSERT_EVENTS_SQL)
// agree with the event the app validated (parse.ts `toEvent`), for payloads of
// every type carrying any JSON under the field names other types use: those
// are unknown fields for this type, kept in the raw payload and never read.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../db/client";
import type { EventType } from "../presence/types";
import { resetDatabase } from "../../test/support/db";
import { ingest } from "./index";
import { parseBody, parseItems } from "./parse";
import { TOPIC_PREFIXES } from "./schemas";
import { runs } from "@/test/support/runs";

const T0 = Date.UTC(2026, 10, 26, 8, 0, 0);

/** Every payload field some event type types; the foreign ones get arbitrary JSON. */
const TYPED_FIELDS = [
  "versionNumber",
  "disconnectReason",
  "clientInitiatedDisconnect",
  "ipAddress",
  "topics",
  "connectFailureReason",
  "sessionIdentifier",
] as const;

const OWN_FIELDS: Record<EventType, readonly string[]> = {
  connected: ["versionNumber", "ipAddress", "sessionIdentifier"],
  disconnected: [
    "versionNumber",
    "disconnectReason",
    "clientInitiatedDisconnect",
    "sessionIdentifier",
  ],
  subscribed: ["topics", "sessionIdentifier"],
  unsubscribed: ["topics", "sessionIdentifier"],
  connect_failed: ["versionNumber", "ipAddress", "connectFailureReason", "sessionIdentifier"],
};

const text = fc.string({ minLength: 1, maxLength: 12 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

/** The fields a type has, valid; absent (undefined) where the schema allows it. */
function ownFields(type: EventType): fc.Arbitrary<Record<string, unknown>> {
  const version = fc.integer({ min: 0, max: 2 ** 40 });
  switch (type) {
    case "connected":
      return fc.record(
        { versionNumber: version, sessionIdentifier: text, ipAddress: maybe(text) },
        { requiredKeys: ["versionNumber", "sessionIdentifier"] },
      );
    case "disconnected":
      return fc.record(
        {
          versionNumber: version,
          sessionIdentifier: text,
          disconnectReason: maybe(text),
          clientInitiatedDisconnect: maybe(fc.boolean()),
        },
        { requiredKeys: ["versionNumber", "sessionIdentifier"] },
      );
    case "subscribed":
    case "unsubscribed":
      return fc.record({ sessionIdentifier: text, topics: fc.uniqueArray(text, { maxLength: 4 }) });
    case "connect_failed":
      return fc.record(
        {
          versionNumber: maybe(version),
          sessionIdentifier: maybe(text),
          ipAddress: maybe(text),
          connectFailureReason: maybe(text),
        },
        { requiredKeys: [] },
      );
  }
}

/** One payload per client: each derived row then comes from exactly one event. */
const payloadsArbitrary = fc
  .array(
    fc
      .constantFrom<EventType>(
        "connected",
        "disconnected",
        "subscribed",
        "unsubscribed",
        "connect_failed",
      )
      .chain((eventType) =>
        fc
          .tuple(
            ownFields(eventType),
            fc.record(
              Object.fromEntries(
                TYPED_FIELDS.filter((f) => !OWN_FIELDS[eventType].includes(f)).map((f) => [
                  f,
                  fc.jsonValue({ maxDepth: 2 }),
                ]),
              ),
              { requiredKeys: [] },
            ),
            maybe(text),
            maybe(text),
            fc.integer({ min: 0, max: 3_600_000 }),
          )
          .map(([own, foreign, principalIdentifier, thingName, offset]) => ({
            ...foreign,
            ...own,
            eventType,
            timestamp: T0 + offset,
            principalIdentifier,
            thingName,
          })),
      ),
    { minLength: 1, maxLength: 12 },
  )
  .map((payloads) => payloads.map((p, i) => ({ ...p, clientId: `typed-${i}` })));

const iso = (t: number) => new Date(t).toISOString();

beforeEach(resetDatabase);

describe("typed columns read in SQL", () => {
  it("match the validated event for every type, whatever unknown fields carry", async () => {
    await fc.assert(
      fc.asyncProperty(payloadsArbitrary, async (payloads) => {
        await resetDatabase();
        const body = JSON.stringify(
          payloads.map((payload) => ({
            topic: TOPIC_PREFIXES[payload.eventType] + payload.clientId,
            payload,
          })),
        );
        const { accepted, rejected } = parseItems(parseBody(body), T0 + 7_200_000);
        expect(rejected).toEqual([]);
        expect(await ingest(body, new Date(T0 + 7_200_000))).toMatchObject({
          accepted: payloads.length,
          rejected: [],
        });

        const pool = db().pool;
        const events = await pool.query(
          `SELECT client_id, event_type, event_at, session_identifier, principal_identifier, version_number::text AS version_number, topic
             FROM lifecycle_event ORDER BY client_id`,
        );
        const byClient = [...accepted].sort((a, b) =>
          a.event.clientId < b.event.clientId ? -1 : 1,
        );
        expect(events.rows).toEqual(
          byClient.map(({ event: e, topic }) => ({
            client_id: e.clientId,
            event_type: e.eventType,
            event_at: new Date(e.timestamp),
            session_identifier: e.sessionIdentifier,
            principal_identifier: e.principalIdentifier,
            version_number: e.versionNumber === null ? null : String(e.versionNumber),
            topic,
          })),
        );

        const connections = await pool.query(
          `SELECT client_id, connected_at, disconnected_at, disconnect_reason, client_initiated_disconnect, ip_address, thing_name, principal_identifier
             FROM connection ORDER BY client_id`,
        );
        expect(connections.rows).toEqual(
          byClient
            .map(({ event: e }) => e)
            .filter((e) => e.eventType === "connected" || e.eventType === "disconnected")
            .map((e) => ({
              client_id: e.clientId,
              connected_at: e.eventType === "connected" ? new Date(e.timestamp) : null,
              disconnected_at: e.eventType === "disconnected" ? new Date(e.timestamp) : null,
              disconnect_reason: e.disconnectReason,
              client_initiated_disconnect: e.clientInitiatedDisconnect,
              ip_address: e.ipAddress,
              thing_name: e.thingName,
              principal_identifier: e.principalIdentifier,
            })),
        );

        const subscriptions = await pool.query(
          'SELECT client_id, topic, event_type FROM subscription_state ORDER BY client_id, topic COLLATE "C"',
        );
        expect(subscriptions.rows).toEqual(
          byClient
            .map(({ event: e }) => e)
            .flatMap((e) =>
              (e.topics ?? []).map((topic) => ({
                client_id: e.clientId,
                topic,
                event_type: e.eventType,
              })),
            )
            .sort((a, b) =>
              a.client_id !== b.client_id
                ? a.client_id < b.client_id
                  ? -1
                  : 1
                : a.topic < b.topic
                  ? -1
                  : a.topic > b.topic
                    ? 1
                    : 0,
            ),
        );

        const failures = await pool.query(
          "SELECT client_id, failed_at, reason, principal_identifier, ip_address FROM connect_failure ORDER BY client_id",
        );
        expect(
          failures.rows.map((r: { failed_at: Date }) => ({
            ...r,
            failed_at: iso(r.failed_at.getTime()),
          })),
        ).toEqual(
          byClient
            .map(({ event: e }) => e)
            .filter((e) => e.eventType === "connect_failed")
            .map((e) => ({
              client_id: e.clientId,
              failed_at: iso(e.timestamp),
              reason: e.connectFailureReason,
              principal_identifier: e.principalIdentifier,
              ip_address: e.ipAddress,
            })),
        );
      }),
      { numRuns: runs(60) },
    );
  });
});
