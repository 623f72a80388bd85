import type { Metadata } from "next";
import { Suspense } from "react";
import { DevicePage } from "@/components/device/DevicePage";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ clientId: string }> };

/** Next hands the segment over still percent-encoded when it holds reserved characters (e.g. %2F). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { clientId } = await params;
  return { title: `${decodeSegment(clientId)} · Fleet presence` };
}

export default async function ClientPage({ params }: Params) {
  const { clientId } = await params;
  return (
    <Suspense>
      <DevicePage clientId={decodeSegment(clientId)} />
    </Suspense>
  );
}
