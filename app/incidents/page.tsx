import type { Metadata } from "next";
import { Suspense } from "react";
import { IncidentsPage } from "@/components/incidents/IncidentsPage";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Incidents · Fleet presence" };

export default function Incidents() {
  return (
    <Suspense>
      <IncidentsPage />
    </Suspense>
  );
}
