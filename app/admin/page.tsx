import type { Metadata } from "next";
import { headers } from "next/headers";
import { AdminPage } from "@/components/admin/AdminPage";
import { principalFromHeaders } from "@/lib/auth/principal";

export const metadata: Metadata = { title: "Admin · Fleet presence" };
export const dynamic = "force-dynamic";

/** proxy.ts lets only admins get here (others are sent to /). */
export default async function AdminRoute() {
  const principal = principalFromHeaders(await headers());
  return <AdminPage currentUsername={principal?.username ?? ""} />;
}
