import type { Metadata } from "next";
import { cookies } from "next/headers";
import { ApiReference } from "@/components/reference/ApiReference";
import { parseTheme, THEME_COOKIE } from "@/components/format/theme";

export const metadata: Metadata = { title: "API reference · Fleet presence" };
export const dynamic = "force-dynamic";

/** The OpenAPI document (GET /api/openapi.json), rendered by Scalar served from this app. */
export default async function ApiReferenceRoute() {
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return <ApiReference theme={theme} />;
}
