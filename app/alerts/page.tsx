import type { Metadata } from "next";
import { headers } from "next/headers";
import { AlertsPage } from "@/components/alerts/AlertsPage";
import { principalFromHeaders } from "@/lib/auth/principal";

export const metadata: Metadata = { title: "Alerts · Fleet presence" };
export const dynamic = "force-dynamic";

/** Every operator sees alerts; admins also edit rules, channels and silences. */
export default async function AlertsRoute() {
  const principal = principalFromHeaders(await headers());
  return <AlertsPage admin={principal?.role === "admin"} />;
}
