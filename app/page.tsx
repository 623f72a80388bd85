import { FleetPage } from "@/components/FleetPage";

export const dynamic = "force-dynamic";

export default function Home() {
  return <FleetPage />;
}
