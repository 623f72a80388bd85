import "server-only";
import { db } from "../db/client";
import { requireClient } from "./get";
import type { EventsQuery } from "./schemas";

export interface EventView {
  id: string;
  eventType: string;
  topic: string;
  timestamp: string;
  receivedAt: string;
  sessionIdentifier: string | null;
  versionNumber: number | null;
  payload: unknown;
}

/** GET /api/clients/{clientId}/events: the raw event log, newest first. */
export async function listEvents(
  clientId: string,
  query: EventsQuery,
): Promise<{ items: EventView[]; nextCursor: string | null }> {
  await requireClient(clientId);
  const rows = await db().prisma.lifecycleEvent.findMany({
    where: {
      clientId,
      ...(query.cursor !== undefined ? { id: { lt: BigInt(query.cursor) } } : {}),
    },
    orderBy: { id: "desc" },
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((e) => ({
      id: e.id.toString(),
      eventType: e.eventType,
      topic: e.topic,
      timestamp: e.eventAt.toISOString(),
      receivedAt: e.receivedAt.toISOString(),
      sessionIdentifier: e.sessionIdentifier,
      versionNumber: e.versionNumber === null ? null : Number(e.versionNumber),
      payload: e.raw,
    })),
    nextCursor: rows.length > query.limit && last !== undefined ? last.id.toString() : null,
  };
}
