import type { Metadata } from "next";
import { cookies, headers } from "next/headers";
import type { ReactNode } from "react";
import { AppHeader } from "@/components/AppHeader";
import { parseTheme, THEME_COOKIE } from "@/components/format/theme";
import { principalFromHeaders } from "@/lib/auth/principal";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "Fleet presence",
  description: "Which MQTT devices are online right now",
  // Inline, so the browser's favicon request never hits a 404.
  icons: {
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'%3E%3Ccircle cx='12' cy='12' r='5' fill='%230284c7'/%3E%3C/svg%3E",
  },
};

/**
 * Reading the request makes every page render per request, which the CSP
 * needs: Next puts this request's nonce (from proxy.ts) on its scripts only
 * when it renders; a prerendered page's scripts would be blocked.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  // Set by proxy.ts after it verified the session; absent on the login page.
  const principal = principalFromHeaders(await headers());
  const operator =
    principal === null ? null : { username: principal.username, role: principal.role };
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme === "system" ? undefined : theme}>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <Providers live={operator !== null}>
          <AppHeader operator={operator} theme={theme} />
          {children}
        </Providers>
      </body>
    </html>
  );
}
