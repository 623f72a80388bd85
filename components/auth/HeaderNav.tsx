"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const link =
  "rounded-md px-2 py-1 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 aria-[current=page]:bg-slate-100 aria-[current=page]:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white dark:aria-[current=page]:bg-slate-800 dark:aria-[current=page]:text-white";

/** The app's sections; Admin only for admins (the server refuses others anyway). */
export function HeaderNav({ admin }: { admin: boolean }) {
  const pathname = usePathname();
  const onAdmin = pathname === "/admin" || pathname.startsWith("/admin/");
  const onAlerts = pathname === "/alerts";
  const onInventory = pathname === "/inventory";
  const onIncidents = pathname === "/incidents" || pathname.startsWith("/incidents/");
  const onAvailability = pathname === "/availability";
  const onReference = pathname === "/api-reference";
  return (
    <nav aria-label="Main" className="flex items-center gap-1">
      <Link
        href="/"
        className={link}
        aria-current={
          !onAdmin && !onAlerts && !onIncidents && !onInventory && !onAvailability && !onReference
            ? "page"
            : undefined
        }
      >
        Fleet
      </Link>
      <Link href="/incidents" className={link} aria-current={onIncidents ? "page" : undefined}>
        Incidents
      </Link>
      <Link
        href="/availability"
        className={link}
        aria-current={onAvailability ? "page" : undefined}
      >
        Availability
      </Link>
      <Link href="/alerts" className={link} aria-current={onAlerts ? "page" : undefined}>
        Alerts
      </Link>
      <Link href="/api-reference" className={link} aria-current={onReference ? "page" : undefined}>
        API
      </Link>
      {admin ? (
        <Link href="/inventory" className={link} aria-current={onInventory ? "page" : undefined}>
          Inventory
        </Link>
      ) : null}
      {admin ? (
        <Link href="/admin" className={link} aria-current={onAdmin ? "page" : undefined}>
          Admin
        </Link>
      ) : null}
    </nav>
  );
}
