import { expect } from "@playwright/test";
import { envelope, type Payload } from "../../test/support/events";
import { E2E_TOKEN } from "./database";

export {
  connected,
  disconnected,
  envelope,
  subscribed,
  type Payload,
} from "../../test/support/events";

export const baseUrl = () => `http://127.0.0.1:${process.env.E2E_PORT}`;

/** Posts events to the app the way the bridge does. */
export async function ingest(...payloads: Payload[]): Promise<void> {
  const response = await fetch(`${baseUrl()}/api/ingest`, {
    method: "POST",
    headers: { Authorization: `Bearer ${E2E_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(payloads.map(envelope)),
  });
  const body = (await response.json()) as { accepted: number; rejected: unknown[] };
  expect(response.status, JSON.stringify(body)).toBe(200);
  expect(body.rejected).toEqual([]);
}

/** A client ID no other test uses, so specs need no reset between them. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** A unique label value of lower-case letters and digits only: safe in a key:value filter and a URL as it is. */
export function uniqueLabelValue(prefix: string): string {
  return uniqueId(prefix)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

/** A disconnect old enough to be offline at once (past grace + the 2-minute timestamp tolerance). */
export const LONG_AGO = () => Date.now() - 10 * 60_000;
