// Alert channels: list, create, change, delete, send a test. Secrets (the
// webhook HMAC key, the PagerDuty routing key) are shown once, in the answer
// that creates them, and never again; a Slack URL, which is its own secret,
// is shown shortened.
import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { db } from "../db/client";
import { ServiceError } from "../errors";
import { sendToChannel, type ChannelRow } from "./channels";
import { alertsConfig } from "./config";
import { payloadText, type AlertPayload } from "./payload";
import { notFoundUnlessUuid } from "./rules";
import type { CreateChannelBody, PatchChannelBody } from "./schemas";
import { checkTargetUrl } from "./ssrf";

export interface ChannelView {
  id: string;
  name: string;
  type: ChannelRow["type"];
  url: string | null;
  to: string | null;
  hasSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

function shownUrl(row: ChannelRow): string | null {
  if (row.url === null || row.type !== "slack") return row.url;
  const url = new URL(row.url);
  return `${url.origin}/${url.pathname.split("/")[1] ?? ""}/…`;
}

function toView(row: ChannelRow): ChannelView {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    url: shownUrl(row),
    to: row.email_to,
    hasSecret: row.secret !== null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const EMAIL = /^[^\s@,]+@[^\s@,]+$/;

/** Checks a channel's settings for its type (URLs against the SSRF rule too). */
function checkChannel(
  type: ChannelRow["type"],
  c: { url?: string | null; secret?: string | null; to?: string | null },
): void {
  const allowPrivate = alertsConfig().allowPrivateTargets;
  const bad = (m: string) => new ServiceError("invalid_body", m);
  if (type === "webhook" || type === "slack") {
    if (!c.url) throw bad(`url: a ${type} channel needs the URL to POST to.`);
  }
  if (c.url) checkTargetUrl(c.url, allowPrivate);
  if (type === "pagerduty" && !c.secret)
    throw bad("secret: a pagerduty channel needs the integration's routing key as its secret.");
  if (type === "email") {
    const list = (c.to ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (list.length === 0) throw bad("to: an email channel needs at least one recipient address.");
    const wrong = list.find((a) => !EMAIL.test(a));
    if (wrong !== undefined) throw bad(`to: '${wrong.slice(0, 100)}' is not an email address.`);
  }
}

export async function listChannels(): Promise<{ items: ChannelView[] }> {
  const { rows } = await db().pool.query<ChannelRow>(
    `SELECT * FROM alert_channel ORDER BY created_at, id`,
  );
  return { items: rows.map(toView) };
}

/** Creates a channel; the answer carries its secret, the only time it is shown. */
export async function createChannel(
  body: CreateChannelBody,
): Promise<ChannelView & { secret: string | null }> {
  checkChannel(body.type, body);
  // A webhook always gets a secret: without one its signature would prove nothing.
  const secret =
    body.secret ?? (body.type === "webhook" ? randomBytes(24).toString("base64url") : null);
  const { rows } = await db().pool.query<ChannelRow>(
    `INSERT INTO alert_channel (name, type, url, secret, email_to) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [body.name, body.type, body.url ?? null, secret, body.to ?? null],
  );
  return { ...toView(rows[0] as ChannelRow), secret };
}

async function requireChannel(id: string): Promise<ChannelRow> {
  notFoundUnlessUuid(id, "channel");
  const { rows } = await db().pool.query<ChannelRow>(`SELECT * FROM alert_channel WHERE id = $1`, [
    id,
  ]);
  const row = rows[0];
  if (row === undefined) throw new ServiceError("not_found", `No channel '${id}'.`);
  return row;
}

export async function updateChannel(id: string, patch: PatchChannelBody): Promise<ChannelView> {
  const current = await requireChannel(id);
  const next = {
    name: patch.name ?? current.name,
    url: patch.url ?? current.url,
    secret: patch.secret ?? current.secret,
    to: patch.to ?? current.email_to,
  };
  checkChannel(current.type, next);
  const { rows } = await db().pool.query<ChannelRow>(
    `UPDATE alert_channel SET name = $2, url = $3, secret = $4, email_to = $5, updated_at = now()
      WHERE id = $1 RETURNING *`,
    [id, next.name, next.url, next.secret, next.to],
  );
  return toView(rows[0] as ChannelRow);
}

/** Deletes a channel and its deliveries; rules keep working with their other channels. */
export async function deleteChannel(id: string): Promise<{ deleted: true }> {
  await requireChannel(id);
  await db().pool.query(
    `WITH gone AS (DELETE FROM alert_channel WHERE id = $1)
     UPDATE alert_rule SET channel_ids = array_remove(channel_ids, $1::uuid) WHERE $1::uuid = ANY (channel_ids)`,
    [id],
  );
  return { deleted: true };
}

export interface TestResult {
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
  deliveryId: string;
}

/** POST /api/alerts/channels/{id}/test: sends a sample notification now and says how it went. */
export async function sendTest(id: string): Promise<TestResult> {
  const channel = await requireChannel(id);
  const config = alertsConfig();
  const deliveryId = randomUUID();
  const now = new Date().toISOString();
  const payload: AlertPayload = {
    deliveryId,
    status: "firing",
    rule: {
      id: "00000000-0000-0000-0000-000000000000",
      name: "Test notification",
      kind: "client_offline",
    },
    alertId: "0",
    startedAt: now,
    resolvedAt: null,
    clients: [
      {
        clientId: "example-device",
        status: "offline",
        lastDisconnectedAt: now,
        disconnectReason: "CONNECTION_LOST",
      },
    ],
    incidentId: null,
    summary: `[TEST] ${channel.name}: Fleet presence can reach this channel`,
    url: `${config.publicUrl}/alerts`,
    test: true,
  };
  const result = await sendToChannel(channel, payloadText(payload), config);
  return { ...result, deliveryId };
}
