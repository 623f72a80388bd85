import type { Metadata } from "next";
import { Suspense } from "react";
import { AvailabilityReportPage } from "@/components/availability/AvailabilityReportPage";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Availability · Fleet presence" };

export default function Availability() {
  return (
    <Suspense>
      <AvailabilityReportPage />
    </Suspense>
  );
}
