import type { Metadata } from "next";
import { headers } from "next/headers";
import { Suspense } from "react";
import { RAW_PATH_HEADER, segmentAfter } from "@/lib/http/raw-path";
import { DevicePage } from "@/components/device/DevicePage";
import { clientIdFromSegment } from "@/lib/clients/client-id-segment";
import { principalFromHeaders } from "@/lib/auth/principal";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ clientId: string }> };

/**
 * The client ID decoded exactly once from the raw path (proxy.ts passes it):
 * Next's params are decoded inconsistently (%2F stays, %41 does not). `+.`
 * and `+..` stand for the IDs `.` and `..`, which no URL can carry.
 */
async function clientIdOf(params: Params["params"]): Promise<string> {
  const fromRawPath = segmentAfter((await headers()).get(RAW_PATH_HEADER), "/clients/");
  return clientIdFromSegment(fromRawPath ?? (await params).clientId);
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: `${await clientIdOf(params)} · Fleet presence` };
}

export default async function ClientPage({ params }: Params) {
  const clientId = await clientIdOf(params);
  const admin = principalFromHeaders(await headers())?.role === "admin";
  return (
    <Suspense>
      <DevicePage clientId={clientId} admin={admin} />
    </Suspense>
  );
}
