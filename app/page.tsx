import { Suspense } from "react";
import { FleetPage } from "@/components/fleet/FleetPage";

export const dynamic = "force-dynamic";

// The view state (search, filter, sort, chart range) lives in the URL; the client component reads it.
export default function Home() {
  return (
    <Suspense>
      <FleetPage />
    </Suspense>
  );
}
