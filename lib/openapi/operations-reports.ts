// Reports over time: availability per client and fleet-wide, and the fleet
// table as CSV, with the zod schemas their routes parse (see operation.ts).
import { AvailabilityReportQuery, ClientAvailabilityQuery } from "../availability/schemas";
import { ExportClientsQuery } from "../clients/schemas";
import { clientIdParam, json, type Operation } from "./operation";
import { AvailabilityReportResponse, ClientAvailabilityResponse } from "./responses";

const csv = { status: 200, contentType: "text/csv", description: "RFC 4180 CSV, streamed." };

export const REPORT_OPERATIONS: readonly Operation[] = [
  {
    path: "/api/clients/{clientId}/availability",
    method: "get",
    tag: "Reports",
    access: "viewer",
    summary: "A client's availability over a range, with a figure per UTC day",
    pathParams: clientIdParam,
    query: ClientAvailabilityQuery,
    ok: json("The figures over the range, and day by day.", 200, ClientAvailabilityResponse),
  },
  {
    path: "/api/reports/availability",
    method: "get",
    tag: "Reports",
    access: "viewer",
    summary:
      "The fleet's availability over a range, worst first, by label (without from and to: the 30 whole UTC days before today, read from a ranking kept ahead)",
    query: AvailabilityReportQuery,
    ok: json("A page of clients, worst first.", 200, AvailabilityReportResponse),
  },
  {
    path: "/api/reports/availability.csv",
    method: "get",
    tag: "Export",
    access: "viewer",
    summary: "The availability report as CSV",
    query: AvailabilityReportQuery,
    ok: csv,
  },
  {
    path: "/api/export/clients.csv",
    method: "get",
    tag: "Export",
    access: "viewer",
    summary: "The fleet table (status, labels one column per key) as CSV",
    query: ExportClientsQuery,
    ok: csv,
  },
];
