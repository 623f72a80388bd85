// The operations machines call: ingest from every source, health, this
// document and the Prometheus endpoint (see operation.ts).
import { z } from "zod";
import { json, type Operation } from "./operation";

/** POST /api/ingest parses events one by one (a bad one is reported, not fatal): its shape, for reading. */
const IngestEnvelope = z.object({
  topic: z.string().meta({ example: "$aws/events/presence/connected/sensor-1" }),
  payload: z.union([z.record(z.string(), z.unknown()), z.string()]),
});
const IngestBody = z
  .union([IngestEnvelope, z.array(IngestEnvelope), z.record(z.string(), z.unknown())])
  .meta({ description: "One envelope, an array of envelopes, or a bare lifecycle payload." });

/** The vendors' own payloads, parsed event by event in lib/sources: their shapes, for reading. */
const AwsRuleBody = z
  .record(z.string(), z.unknown())
  .meta({ description: "What `SELECT *, topic() AS topic FROM '$aws/events/#'` sends." });
const AzureBody = z
  .union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())])
  .meta({ description: "Event Grid events (an array) or one CloudEvent." });
const EmqxBody = z
  .record(z.string(), z.unknown())
  .meta({ description: "One EMQX event (`event`: client.connected or client.disconnected)." });

export const MACHINE_OPERATIONS: readonly Operation[] = [
  // Machines
  {
    path: "/api/ingest",
    method: "post",
    tag: "Ingest",
    access: "ingest",
    summary: "Store lifecycle events (one, a batch, or a bare payload)",
    body: { schema: IngestBody },
    ok: json("{accepted, duplicates, rejected: [{index, error}]}"),
  },
  {
    path: "/api/ingest/aws-rule",
    method: "post",
    tag: "Ingest",
    access: "ingest",
    summary:
      "AWS IoT rule HTTPS action: one lifecycle payload with its `topic` (and AWS's destination confirmation, without a token)",
    body: { schema: AwsRuleBody },
    ok: json("{accepted, duplicates, rejected: [{index, error}]}"),
  },
  {
    path: "/api/ingest/azure",
    method: "post",
    tag: "Ingest",
    access: "ingest",
    summary:
      "Azure IoT Hub connection state events from Event Grid (Event Grid or CloudEvents schema; the validation handshake without a token)",
    body: { schema: AzureBody },
    ok: json("{accepted, duplicates, rejected: [{index, error}]}, or the validation answer"),
  },
  {
    path: "/api/ingest/emqx",
    method: "post",
    tag: "Ingest",
    access: "ingest",
    summary:
      "EMQX data integration (rule engine HTTP action): client.connected / client.disconnected",
    body: { schema: EmqxBody },
    ok: json("{accepted, duplicates, rejected: [{index, error}]}"),
  },
  {
    path: "/api/admin/aws-rule-destinations",
    method: "get",
    tag: "Admin",
    access: "admin",
    summary: "AWS IoT rule destinations awaiting confirmation, with their enableUrl",
    ok: json('{"items": [{"arn", "enableUrl", "receivedAt", …}]}'),
  },
  {
    path: "/api/health",
    method: "get",
    tag: "Machines",
    access: "public",
    summary: "200 when the database answers, 503 otherwise",
    ok: json('{"status": "ok"}'),
  },
  {
    path: "/api/openapi.json",
    method: "get",
    tag: "Machines",
    access: "public",
    summary: "This document",
    ok: json("OpenAPI 3.1."),
  },
  {
    path: "/metrics",
    method: "get",
    tag: "Machines",
    access: "metrics",
    summary: "Prometheus text format",
    ok: { status: 200, contentType: "text/plain; version=0.0.4", description: "The series." },
  },
];
