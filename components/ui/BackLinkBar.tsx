"use client";

import Link from "next/link";
import { TimeZoneNote } from "./LocalTime";

/** The top of a detail page: the way back to its list, and the time-zone note. */
export function BackLinkBar({ href, label }: { href: string; label: string }) {
  return (
    <div className="flex flex-wrap items-baseline justify-between gap-2">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href={href} className="text-sky-800 hover:underline dark:text-sky-300">
          ← {label}
        </Link>
      </nav>
      <TimeZoneNote />
    </div>
  );
}
