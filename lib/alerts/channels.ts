// How each channel type renders a notification and sends it. The payload
// (payload.ts) is the webhook body verbatim; the others are rendered from it.
import { createHmac } from "node:crypto";
import nodemailer from "nodemailer";
import type { AlertsConfig } from "./config";
import { postJson, type PostResult } from "./http-post";
import type { AlertPayload } from "./payload";

export const CHANNEL_TYPES = ["webhook", "slack", "pagerduty", "email"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface ChannelRow {
  id: string;
  name: string;
  type: ChannelType;
  url: string | null;
  secret: string | null;
  email_to: string | null;
  created_at: Date;
  updated_at: Date;
}

/** `sha256=<hex HMAC-SHA256 of the raw body>` with the channel's secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

export function slackBody(p: AlertPayload): string {
  const lines = [`*${p.summary}*`];
  for (const c of p.clients.slice(0, 10)) {
    const reason = c.disconnectReason ? `, ${c.disconnectReason}` : "";
    lines.push(`• \`${c.clientId}\`: ${c.status}${reason}`);
  }
  if (p.clients.length > 10) lines.push(`…and ${p.clients.length - 10} more`);
  lines.push(`<${p.url}|Open in Fleet presence>`);
  return JSON.stringify({ text: lines.join("\n") });
}

export function pagerDutyBody(p: AlertPayload, routingKey: string): string {
  return JSON.stringify({
    routing_key: routingKey,
    event_action: p.status === "firing" ? "trigger" : "resolve",
    // One PagerDuty incident per alert: the resolve closes what the trigger opened.
    dedup_key: `fleet-presence-alert-${p.alertId}`,
    payload: {
      summary: p.summary.slice(0, 1024),
      source: "fleet-presence",
      severity: "warning",
      timestamp: p.startedAt,
      custom_details: { deliveryId: p.deliveryId, rule: p.rule, clients: p.clients },
    },
    links: [{ href: p.url, text: "Open in Fleet presence" }],
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function emailContent(p: AlertPayload): { subject: string; text: string; html: string } {
  const rows = p.clients.map(
    (c) => `${c.clientId}: ${c.status}${c.disconnectReason ? ` (${c.disconnectReason})` : ""}`,
  );
  const text = [
    p.summary,
    "",
    ...rows,
    "",
    `Started: ${p.startedAt}`,
    ...(p.resolvedAt ? [`Resolved: ${p.resolvedAt}`] : []),
    "",
    p.url,
  ].join("\n");
  const html = `<p><strong>${escapeHtml(p.summary)}</strong></p>
<ul>${rows.map((r) => `<li>${escapeHtml(r)}</li>`).join("")}</ul>
<p>Started: ${escapeHtml(p.startedAt)}${p.resolvedAt ? `<br>Resolved: ${escapeHtml(p.resolvedAt)}` : ""}</p>
<p><a href="${escapeHtml(p.url)}">Open in Fleet presence</a></p>`;
  return { subject: p.summary, text, html };
}

async function sendEmail(
  channel: ChannelRow,
  p: AlertPayload,
  config: AlertsConfig,
): Promise<PostResult> {
  if (config.smtpUrl === null) {
    return {
      ok: false,
      httpStatus: null,
      error: "SMTP_URL is not set: email channels cannot send",
    };
  }
  // SMTP_URL names the server (smtp:// or smtps://, credentials inside);
  // the timeouts bound a stuck server like an HTTP channel's timeout.
  const url = new URL(config.smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === "smtps:" ? 465 : 587)),
    secure: url.protocol === "smtps:",
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    ignoreTLS: url.searchParams.get("ignoreTLS") === "true",
    connectionTimeout: config.sendTimeoutMs,
    greetingTimeout: config.sendTimeoutMs,
    socketTimeout: config.sendTimeoutMs,
  });
  try {
    const { subject, text, html } = emailContent(p);
    await transport.sendMail({
      from: config.emailFrom,
      to: channel.email_to ?? "",
      subject,
      text,
      html,
      headers: { "X-Fleet-Delivery": p.deliveryId },
    });
    return { ok: true, httpStatus: null, error: null };
  } catch (error) {
    return { ok: false, httpStatus: null, error: (error as Error).message };
  } finally {
    transport.close();
  }
}

/** Sends one notification over one channel; never throws (the result says what went wrong). */
export async function sendToChannel(
  channel: ChannelRow,
  body: string,
  config: AlertsConfig,
): Promise<PostResult> {
  const payload = JSON.parse(body) as AlertPayload;
  const options = { timeoutMs: config.sendTimeoutMs, allowPrivate: config.allowPrivateTargets };
  try {
    switch (channel.type) {
      case "webhook":
        return await postJson(
          channel.url ?? "",
          body,
          {
            "X-Fleet-Signature": signature(channel.secret ?? "", body),
            "X-Fleet-Delivery": payload.deliveryId,
          },
          options,
        );
      case "slack":
        return await postJson(channel.url ?? "", slackBody(payload), {}, options);
      case "pagerduty":
        return await postJson(
          channel.url ?? config.pagerDutyUrl,
          pagerDutyBody(payload, channel.secret ?? ""),
          {},
          options,
        );
      case "email":
        return await sendEmail(channel, payload, config);
    }
  } catch (error) {
    return { ok: false, httpStatus: null, error: (error as Error).message };
  }
}
