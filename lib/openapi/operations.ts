// Every public route, described once: its path as Next serves it, who may
// call it, and the same zod schemas the route parses its input with. The
// OpenAPI document (document.ts) is generated from this table, and a test
// holds the table to the route files under app/ and to the routes' 400s.
import { z } from "zod";
import {
  AlertsQuery,
  CreateChannelBody,
  CreateRuleBody,
  CreateSilenceBody,
  PatchChannelBody,
  PatchRuleBody,
} from "../alerts/schemas";
import {
  CreateApiTokenBody,
  CreateOperatorBody,
  CreateTokenBody,
  LoginBody,
  UpdateOperatorBody,
} from "../auth/schemas";
import {
  EventsQuery,
  ExportQuery,
  FailuresQuery,
  ListClientsQuery,
  RangeQuery,
  SummaryQuery,
} from "../clients/schemas";
import { IncidentClientsQuery, ListIncidentsQuery } from "../incidents/schemas";
import { FacetQuery, PutLabelsBody } from "../labels/schemas";
import { ReasonsQuery } from "../stats/reasons";
import { OnlineHistoryQuery } from "../stats/schemas";

/**
 * public: no credential. viewer/admin: a session (cookie, plus X-CSRF-Token
 * on writes) or an API token of that role. ingest/metrics: their own bearer tokens.
 */
export type Access = "public" | "viewer" | "admin" | "ingest" | "metrics";
export type Method = "get" | "post" | "put" | "patch" | "delete";

export interface Operation {
  path: string;
  method: Method;
  summary: string;
  tag: string;
  access: Access;
  query?: z.ZodObject;
  pathParams?: z.ZodObject;
  body?: { schema: z.ZodType; contentType?: string; alternatives?: Record<string, z.ZodType> };
  /** Success status and what it carries. */
  ok?: { status: number; contentType: string; description: string };
}

const clientIdParam = z.object({
  clientId: z.string().meta({
    description:
      "The client ID as one URL-encoded path segment (encodeURIComponent); `.` and `..` are written `+.` and `+..`.",
  }),
});
const idParam = z.object({ id: z.string().meta({ description: "The resource's id." }) });
const json = (description: string, status = 200) => ({
  status,
  contentType: "application/json",
  description,
});
const csv = { status: 200, contentType: "text/csv", description: "RFC 4180 CSV, streamed." };

/** POST /api/ingest parses events one by one (a bad one is reported, not fatal): its shape, for reading. */
const IngestEnvelope = z.object({
  topic: z.string().meta({ example: "$aws/events/presence/connected/sensor-1" }),
  payload: z.union([z.record(z.string(), z.unknown()), z.string()]),
});
const IngestBody = z
  .union([IngestEnvelope, z.array(IngestEnvelope), z.record(z.string(), z.unknown())])
  .meta({ description: "One envelope, an array of envelopes, or a bare lifecycle payload." });
const LabelsImportJson = z
  .array(z.object({ clientId: z.string(), labels: z.record(z.string(), z.string()) }))
  .meta({ description: "Every client listed gets exactly these labels." });

export const OPERATIONS: readonly Operation[] = [
  // Fleet
  {
    path: "/api/clients",
    method: "get",
    tag: "Fleet",
    access: "viewer",
    summary: "List clients with status, search, sort and cursor pagination",
    query: ListClientsQuery,
    ok: json("A page of clients and the fleet's counts."),
  },
  {
    path: "/api/clients/{clientId}",
    method: "get",
    tag: "Fleet",
    access: "viewer",
    summary: "One client's status, session and subscriptions",
    pathParams: clientIdParam,
    ok: json("The client; 404 if never seen."),
  },
  {
    path: "/api/clients/{clientId}/connections",
    method: "get",
    tag: "Fleet",
    access: "viewer",
    summary: "A client's connection timeline, oldest first",
    pathParams: clientIdParam,
    query: RangeQuery,
    ok: json("{items: [connection…]}"),
  },
  {
    path: "/api/clients/{clientId}/connections.csv",
    method: "get",
    tag: "Export",
    access: "viewer",
    summary: "A client's connection timeline as CSV",
    pathParams: clientIdParam,
    query: RangeQuery,
    ok: csv,
  },
  {
    path: "/api/clients/{clientId}/events",
    method: "get",
    tag: "Fleet",
    access: "viewer",
    summary: "A client's raw lifecycle events, newest first",
    pathParams: clientIdParam,
    query: EventsQuery,
    ok: json("A page of events."),
  },
  {
    path: "/api/clients/{clientId}/failures",
    method: "get",
    tag: "Fleet",
    access: "viewer",
    summary: "Refused connection attempts, newest first",
    pathParams: clientIdParam,
    query: FailuresQuery,
    ok: json("A page of failures."),
  },
  {
    path: "/api/clients/{clientId}/subscriptions",
    method: "get",
    tag: "Fleet",
    access: "viewer",
    summary: "Current topics, per-topic state and history",
    pathParams: clientIdParam,
    ok: json("The client's subscriptions."),
  },
  {
    path: "/api/clients/{clientId}/labels",
    method: "get",
    tag: "Labels",
    access: "viewer",
    summary: "A client's labels",
    pathParams: clientIdParam,
    ok: json("{labels}"),
  },
  {
    path: "/api/clients/{clientId}/labels",
    method: "put",
    tag: "Labels",
    access: "admin",
    summary: "Replace a client's labels",
    pathParams: clientIdParam,
    body: { schema: PutLabelsBody },
    ok: json("The labels now set."),
  },
  {
    path: "/api/export/connections.csv",
    method: "get",
    tag: "Export",
    access: "viewer",
    summary: "The fleet's (filtered) timelines as CSV",
    query: ExportQuery,
    ok: csv,
  },
  {
    path: "/api/stats/summary",
    method: "get",
    tag: "Stats",
    access: "viewer",
    summary: "Fleet counts by status, plus flapping",
    query: SummaryQuery,
    ok: json("{online, pending, offline, total, flapping, neverSeen}"),
  },
  {
    path: "/api/stats/online",
    method: "get",
    tag: "Stats",
    access: "viewer",
    summary: "Online clients over time",
    query: OnlineHistoryQuery,
    ok: json("Points of the online count."),
  },
  {
    path: "/api/stats/reasons",
    method: "get",
    tag: "Stats",
    access: "viewer",
    summary: "Disconnect reasons over time",
    query: ReasonsQuery,
    ok: json("Counts per reason and time bucket."),
  },
  {
    path: "/api/stream",
    method: "get",
    tag: "Fleet",
    access: "viewer",
    summary: "Server-Sent Events: `client` per changed client, `summary` counts, heartbeats",
    ok: { status: 200, contentType: "text/event-stream", description: "An event stream." },
  },
  {
    path: "/api/labels/facet",
    method: "get",
    tag: "Labels",
    access: "viewer",
    summary: "Clients per value of one label key",
    query: FacetQuery,
    ok: json("Values with their client and online counts."),
  },
  {
    path: "/api/labels/import",
    method: "post",
    tag: "Labels",
    access: "admin",
    summary: "Set the labels of many clients from CSV or JSON, all or nothing",
    body: {
      schema: LabelsImportJson,
      alternatives: {
        "text/csv": z.string().meta({ description: "Rows clientId,key,value with that header." }),
      },
    },
    ok: json("What was imported."),
  },
  // Incidents and alerts
  {
    path: "/api/incidents",
    method: "get",
    tag: "Incidents",
    access: "viewer",
    summary: "Incidents overlapping a time range, newest first",
    query: ListIncidentsQuery,
    ok: json("{items: [incident…]}"),
  },
  {
    path: "/api/incidents/{id}",
    method: "get",
    tag: "Incidents",
    access: "viewer",
    summary: "One incident with a page of its clients",
    pathParams: idParam,
    query: IncidentClientsQuery,
    ok: json("The incident."),
  },
  {
    path: "/api/alerts",
    method: "get",
    tag: "Alerts",
    access: "viewer",
    summary: "Alerts newest first, with their deliveries",
    query: AlertsQuery,
    ok: json("A page of alerts."),
  },
  {
    path: "/api/alerts/rules",
    method: "get",
    tag: "Alerts",
    access: "viewer",
    summary: "List alert rules",
    ok: json("{items: [rule…]}"),
  },
  {
    path: "/api/alerts/rules",
    method: "post",
    tag: "Alerts",
    access: "admin",
    summary: "Create an alert rule",
    body: { schema: CreateRuleBody },
    ok: json("The rule.", 201),
  },
  {
    path: "/api/alerts/rules/{id}",
    method: "patch",
    tag: "Alerts",
    access: "admin",
    summary: "Change an alert rule",
    pathParams: idParam,
    body: { schema: PatchRuleBody },
    ok: json("The rule."),
  },
  {
    path: "/api/alerts/rules/{id}",
    method: "delete",
    tag: "Alerts",
    access: "admin",
    summary: "Delete an alert rule",
    pathParams: idParam,
    ok: json("What was deleted."),
  },
  {
    path: "/api/alerts/channels",
    method: "get",
    tag: "Alerts",
    access: "viewer",
    summary: "List alert channels (no secrets)",
    ok: json("{items: [channel…]}"),
  },
  {
    path: "/api/alerts/channels",
    method: "post",
    tag: "Alerts",
    access: "admin",
    summary: "Create an alert channel (its secret shown once)",
    body: { schema: CreateChannelBody },
    ok: json("The channel.", 201),
  },
  {
    path: "/api/alerts/channels/{id}",
    method: "patch",
    tag: "Alerts",
    access: "admin",
    summary: "Change an alert channel",
    pathParams: idParam,
    body: { schema: PatchChannelBody },
    ok: json("The channel."),
  },
  {
    path: "/api/alerts/channels/{id}",
    method: "delete",
    tag: "Alerts",
    access: "admin",
    summary: "Delete an alert channel",
    pathParams: idParam,
    ok: json("What was deleted."),
  },
  {
    path: "/api/alerts/channels/{id}/test",
    method: "post",
    tag: "Alerts",
    access: "admin",
    summary: "Send a sample notification now",
    pathParams: idParam,
    ok: json("How the delivery went."),
  },
  {
    path: "/api/alerts/silences",
    method: "get",
    tag: "Alerts",
    access: "viewer",
    summary: "List silences",
    ok: json("{items: [silence…]}"),
  },
  {
    path: "/api/alerts/silences",
    method: "post",
    tag: "Alerts",
    access: "admin",
    summary: "Create a silence",
    body: { schema: CreateSilenceBody },
    ok: json("The silence.", 201),
  },
  {
    path: "/api/alerts/silences/{id}",
    method: "delete",
    tag: "Alerts",
    access: "admin",
    summary: "End a silence now",
    pathParams: idParam,
    ok: json("The silence."),
  },
  // Administration
  {
    path: "/api/admin/operators",
    method: "get",
    tag: "Admin",
    access: "admin",
    summary: "List operator accounts",
    ok: json("{items: [operator…]}"),
  },
  {
    path: "/api/admin/operators",
    method: "post",
    tag: "Admin",
    access: "admin",
    summary: "Create an operator account",
    body: { schema: CreateOperatorBody },
    ok: json("The operator.", 201),
  },
  {
    path: "/api/admin/operators/{id}",
    method: "patch",
    tag: "Admin",
    access: "admin",
    summary: "Change role, disable, reset password",
    pathParams: idParam,
    body: { schema: UpdateOperatorBody },
    ok: json("The operator."),
  },
  {
    path: "/api/admin/operators/{id}",
    method: "delete",
    tag: "Admin",
    access: "admin",
    summary: "Delete an operator account",
    pathParams: idParam,
    ok: { status: 204, contentType: "", description: "Deleted." },
  },
  {
    path: "/api/admin/tokens",
    method: "get",
    tag: "Admin",
    access: "admin",
    summary: "List ingest tokens",
    ok: json("{items: [token…]}"),
  },
  {
    path: "/api/admin/tokens",
    method: "post",
    tag: "Admin",
    access: "admin",
    summary: "Create an ingest token (shown once)",
    body: { schema: CreateTokenBody },
    ok: json("{token, info}", 201),
  },
  {
    path: "/api/admin/tokens/{id}",
    method: "delete",
    tag: "Admin",
    access: "admin",
    summary: "Revoke an ingest token",
    pathParams: idParam,
    ok: json("The revoked token."),
  },
  {
    path: "/api/admin/api-tokens",
    method: "get",
    tag: "Admin",
    access: "admin",
    summary: "List API tokens",
    ok: json("{items: [apiToken…]}"),
  },
  {
    path: "/api/admin/api-tokens",
    method: "post",
    tag: "Admin",
    access: "admin",
    summary: "Create an API token (shown once, stored hashed)",
    body: { schema: CreateApiTokenBody },
    ok: json("{id, token, name, role, expiresAt, …}", 201),
  },
  {
    path: "/api/admin/api-tokens/{id}",
    method: "delete",
    tag: "Admin",
    access: "admin",
    summary: "Revoke an API token",
    pathParams: idParam,
    ok: json("The revoked token."),
  },
  // Sessions
  {
    path: "/api/auth/login",
    method: "post",
    tag: "Sessions",
    access: "public",
    summary: "Open an operator session (sets the session and CSRF cookies)",
    body: { schema: LoginBody },
    ok: json("{username, role, csrfToken}"),
  },
  {
    path: "/api/auth/logout",
    method: "post",
    tag: "Sessions",
    access: "viewer",
    summary: "End this session",
    ok: { status: 204, contentType: "", description: "Logged out." },
  },
  {
    path: "/api/auth/me",
    method: "get",
    tag: "Sessions",
    access: "viewer",
    summary: "Who is calling (and the CSRF token for writes)",
    ok: json("{username, role, csrfToken}"),
  },
  {
    path: "/api/auth/providers",
    method: "get",
    tag: "Sessions",
    access: "public",
    summary: "Ways to log in the login page offers",
    ok: json("{password, sso}"),
  },
  {
    path: "/api/auth/oidc/login",
    method: "get",
    tag: "Sessions",
    access: "public",
    summary: "Start single sign-on (302 to the provider); `next` is where to go afterwards",
    ok: { status: 302, contentType: "", description: "To the provider." },
  },
  {
    path: "/api/auth/oidc/callback",
    method: "get",
    tag: "Sessions",
    access: "public",
    summary: "The provider's answer (302 on, with a session)",
    ok: { status: 302, contentType: "", description: "To the page asked for." },
  },
  {
    path: "/api/auth/oidc/logout",
    method: "get",
    tag: "Sessions",
    access: "public",
    summary: "End the provider's session after logout (303)",
    ok: { status: 303, contentType: "", description: "To the provider." },
  },
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
