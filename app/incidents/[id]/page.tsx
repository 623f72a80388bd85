import type { Metadata } from "next";
import { IncidentPage } from "@/components/incidents/IncidentPage";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Incident · Fleet presence" };

export default async function Incident({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <IncidentPage id={id} />;
}
