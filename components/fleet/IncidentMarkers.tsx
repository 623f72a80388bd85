"use client";

import Link from "next/link";
import type { IncidentItem } from "@/lib/incidents/schemas";
import { formatShortDateTime } from "../format/time";

const number = new Intl.NumberFormat();

/**
 * Incidents as red bands over the chart (at least 4 px wide, so a one-minute
 * incident shows on a 7-day axis), each a link to its page. Plain links laid
 * over the SVG: the chart itself is one image to assistive technology.
 */
export function IncidentMarkers({
  incidents,
  x,
  from,
  to,
  top,
  height,
}: {
  incidents: readonly IncidentItem[];
  x: (t: number) => number;
  from: number;
  to: number;
  top: number;
  height: number;
}) {
  if (incidents.length === 0) return null;
  return (
    <ul aria-label="Incidents on the chart" data-testid="incident-markers">
      {incidents.map((incident) => {
        const start = Math.max(from, Date.parse(incident.startedAt));
        const end = Math.min(to, incident.endedAt === null ? to : Date.parse(incident.endedAt));
        const left = x(start);
        const label = `Incident at ${formatShortDateTime(Date.parse(incident.startedAt))}: ${number.format(incident.affectedClients)} clients dropped${incident.endedAt === null ? ", still open" : ""}`;
        return (
          <li key={incident.id}>
            <Link
              href={`/incidents/${incident.id}`}
              aria-label={label}
              title={label}
              className="absolute block border-x border-red-600 bg-red-500/20 hover:bg-red-500/35 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-red-400 dark:bg-red-400/20"
              style={{ left, top, width: Math.max(4, x(end) - left), height }}
            />
          </li>
        );
      })}
    </ul>
  );
}
