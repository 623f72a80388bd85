"use client";

import Link from "next/link";
import { useIncidentsQuery } from "../hooks/use-incidents";
import { LocalTime } from "../ui/LocalTime";
import { Skeleton } from "../ui/Skeleton";

const number = new Intl.NumberFormat();
const THIRTY_DAYS = 30 * 24 * 3_600_000;

/** The fleet-wide incidents this device was part of (last 30 days): its drop was not its own fault alone. */
export function DeviceIncidents({ clientId }: { clientId: string }) {
  const from = new Date(Math.floor((Date.now() - THIRTY_DAYS) / 3_600_000) * 3_600_000);
  const query = useIncidentsQuery({ clientId, from: from.toISOString(), limit: "20" });
  const items = query.data?.items;
  if (items === undefined) return <Skeleton className="h-10 w-full" />;
  if (items.length === 0) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Not part of any fleet-wide incident in the last 30 days.
      </p>
    );
  }
  return (
    <ul className="space-y-1 text-sm">
      {items.map((incident) => (
        <li key={incident.id}>
          <Link
            href={`/incidents/${incident.id}`}
            className="text-sky-800 hover:underline dark:text-sky-300"
          >
            Incident of <LocalTime iso={incident.startedAt} short />
          </Link>{" "}
          <span className="text-slate-600 dark:text-slate-300">
            — {number.format(incident.affectedClients)} clients dropped
            {incident.endedAt === null ? ", still open" : ""}
          </span>
        </li>
      ))}
    </ul>
  );
}
