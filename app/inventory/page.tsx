import type { Metadata } from "next";
import { InventoryPage } from "@/components/inventory/InventoryPage";

export const metadata: Metadata = { title: "Inventory · Fleet presence" };
export const dynamic = "force-dynamic";

/** proxy.ts lets only admins get here (others are sent to /). */
export default function InventoryRoute() {
  return <InventoryPage />;
}
