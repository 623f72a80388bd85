-- The online clients in last-change order, for GET /api/clients?status=online:
-- without it that list walks every client in last-change order and tests each
-- one's status (lib/clients/client-row.ts, ONLINE_BOUND_SQL).
CREATE INDEX "client_state_online_last_event_idx" ON "client_state" ("last_event_at", "client_id")
  WHERE "session_identifier" IS NOT NULL AND "disconnected_at" IS NULL;
