// What the main read operations answer, as zod schemas for the OpenAPI
// document. The routes build their answers as the TypeScript types beside
// their code (ClientView, Counts, …); each schema here is held to its type
// by the compiler (the `Same` checks at the end: a field added to one and not
// the other fails `npm run typecheck`), and openapi.app.test.ts validates
// real answers of the running app against the document.
import { z } from "zod";
import { STATUSES } from "../../contract/client-list";
import { SOURCES } from "../../contract/sources";
import type { AlertView } from "../alerts/list";
import type { ApiTokenView } from "../auth/schemas";
import type { AvailabilityReportPage, ClientAvailabilityView } from "../availability/schemas";
import type { EventView } from "../clients/events";
import type { ClientPage, ClientView, Counts } from "../clients/schemas";
import type { IncidentItem } from "../incidents/schemas";
import type { OnlineHistory } from "../stats/schemas";

/** ISO 8601 UTC with milliseconds, as every time the API answers. */
const time = z.iso.datetime().meta({ example: "2026-12-03T09:30:00.000Z" });
const labels = z
  .record(z.string(), z.string())
  .meta({ description: "The client's labels, key → value ({} when none)." });

export const CountsResponse = z
  .object({
    online: z.number().int(),
    pending: z.number().int(),
    offline: z.number().int(),
    total: z.number().int().meta({ description: "Seen clients (neverSeen is not part of it)." }),
    flapping: z.number().int(),
    neverSeen: z
      .number()
      .int()
      .meta({ description: "Labelled client IDs that have sent no event yet." }),
  })
  .meta({ id: "Counts" });

export const ClientResponse = z
  .object({
    clientId: z.string(),
    status: z.enum(STATUSES),
    flapping: z.boolean(),
    since: time.nullable(),
    lastConnectedAt: time.nullable(),
    lastDisconnectedAt: time.nullable(),
    disconnectReason: z.string().nullable(),
    clientInitiatedDisconnect: z.boolean().nullable(),
    principalIdentifier: z.string().nullable(),
    sessionIdentifier: z.string().nullable(),
    versionNumber: z.number().int().nullable(),
    ipAddress: z.string().nullable(),
    thingName: z.string().nullable(),
    subscriptions: z.array(z.string()),
    subscriptionCount: z.number().int(),
    lastEventAt: time.nullable().meta({ description: "The latest event; null: never seen." }),
    pendingUntil: time
      .nullable()
      .meta({ description: "When `pending` turns `offline` without any new event." }),
    labels,
    source: z
      .enum(SOURCES)
      .nullable()
      .meta({ description: "Where its events come from; null: never seen." }),
    infrastructure: z
      .boolean()
      .optional()
      .meta({ description: "GET /api/clients/{clientId} only: the bridge, not a fleet member." }),
  })
  .meta({ id: "Client" });

export const ClientPageResponse = z
  .object({
    items: z.array(ClientResponse),
    nextCursor: z.string().nullable(),
    counts: CountsResponse,
    asOf: time.optional().meta({ description: "With asOf: the moment the page describes." }),
  })
  .meta({ id: "ClientPage" });

export const EventsResponse = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        eventType: z.string(),
        topic: z.string(),
        timestamp: time,
        receivedAt: time,
        sessionIdentifier: z.string().nullable(),
        versionNumber: z.number().int().nullable(),
        payload: z.unknown().meta({ description: "The event as received (raw JSON)." }),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "EventPage" });

export const OnlineHistoryResponse = z
  .object({
    range: z.enum(["24h", "7d", "30d"]),
    from: time,
    to: time,
    stepSeconds: z.number().int(),
    points: z.array(z.object({ at: time, online: z.number().int() })),
    dataFrom: time.nullable().meta({
      description: "The first sample with any history; earlier ones read 0 for want of data.",
    }),
  })
  .meta({ id: "OnlineHistory" });

const figures = {
  onlineSeconds: z.number(),
  observedSeconds: z.number(),
  availability: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .meta({ description: "online / observed; null when nothing was observed." }),
  disconnects: z.number().int(),
};

export const ClientAvailabilityResponse = z
  .object({
    ...figures,
    from: time,
    to: time,
    days: z.array(z.object({ ...figures, day: z.iso.date() })),
  })
  .meta({ id: "ClientAvailability" });

export const AvailabilityReportResponse = z
  .object({
    from: time,
    to: time,
    items: z.array(z.object({ ...figures, clientId: z.string(), labels })),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "AvailabilityReport" });

export const IncidentsResponse = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        startedAt: time,
        endedAt: time.nullable(),
        affectedClients: z.number().int(),
        reasons: z.record(z.string(), z.number().int()),
        reconnectedClients: z.number().int(),
        labels: z
          .record(z.string(), z.record(z.string(), z.number().int()))
          .meta({ description: "Per label key, clients per value." }),
      }),
    ),
  })
  .meta({ id: "IncidentList" });

const delivery = z.object({
  id: z.string(),
  channelId: z.string(),
  channelName: z.string(),
  channelType: z.string(),
  status: z.enum(["firing", "resolved"]),
  state: z.enum(["pending", "sent", "failed"]),
  attempts: z.number().int(),
  nextAttemptAt: time.nullable(),
  lastError: z.string().nullable(),
  createdAt: time,
  sentAt: time.nullable(),
  attemptLog: z.array(
    z.object({
      attemptedAt: time,
      ok: z.boolean(),
      httpStatus: z.number().int().nullable(),
      durationMs: z.number(),
      error: z.string().nullable(),
    }),
  ),
});

export const AlertsResponse = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        rule: z.object({ id: z.string(), name: z.string(), kind: z.string() }),
        clientId: z.string().nullable(),
        incidentId: z.string().nullable(),
        state: z.enum(["firing", "resolved"]),
        silenced: z.boolean(),
        startedAt: time,
        resolvedAt: time.nullable(),
        deliveries: z.array(delivery),
      }),
    ),
    nextCursor: z.string().nullable(),
    counts: z.object({ firing: z.number().int() }),
  })
  .meta({ id: "AlertPage" });

export const ApiTokensResponse = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        role: z.enum(["viewer", "admin"]),
        prefix: z.string().meta({ description: "The token's first characters, to recognise it." }),
        createdBy: z.string(),
        createdAt: time,
        expiresAt: time.nullable(),
        lastUsedAt: time.nullable(),
        revokedAt: time.nullable(),
        revokedBy: z.string().nullable(),
        state: z.enum(["active", "expired", "revoked"]),
      }),
    ),
  })
  .meta({ id: "ApiTokenList" });

/** True only when A and B are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Item<T extends { items: unknown[] }> = T["items"][number];

// Compile-time links between each documented schema and the type its route answers.
const held: Array<true> = [
  true satisfies Same<z.infer<typeof CountsResponse>, Counts>,
  true satisfies Same<z.infer<typeof ClientResponse>, ClientView>,
  true satisfies Same<z.infer<typeof ClientPageResponse>, ClientPage>,
  true satisfies Same<Item<z.infer<typeof EventsResponse>>, EventView>,
  true satisfies Same<z.infer<typeof OnlineHistoryResponse>, OnlineHistory>,
  true satisfies Same<z.infer<typeof ClientAvailabilityResponse>, ClientAvailabilityView>,
  true satisfies Same<z.infer<typeof AvailabilityReportResponse>, AvailabilityReportPage>,
  true satisfies Same<Item<z.infer<typeof IncidentsResponse>>, IncidentItem>,
  true satisfies Same<Item<z.infer<typeof AlertsResponse>>, AlertView>,
  true satisfies Same<Item<z.infer<typeof ApiTokensResponse>>, ApiTokenView>,
];
void held;
