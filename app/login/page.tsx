import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { LoginForm, type SsoOption } from "@/components/auth/LoginForm";
import { safeNextPath } from "@/components/auth/safe-next";
import { loginProviders } from "@/lib/auth/oidc";
import { SSO_LOGOUT_COOKIE } from "@/lib/auth/sessions";

export const metadata: Metadata = { title: "Log in · Fleet presence" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Whether to offer single sign-on; broken OIDC_* settings leave password login working. */
function ssoOption(): SsoOption {
  try {
    const providers = loginProviders();
    return providers.oidc ? { state: "on", label: providers.oidcLabel ?? "SSO" } : { state: "off" };
  } catch {
    // The server log names the variable (GET /api/auth/providers says it too).
    return { state: "misconfigured" };
  }
}

export default async function LoginPage({ searchParams }: Props) {
  // Just logged out of an SSO session: end the provider's session too (it comes back here).
  if ((await cookies()).get(SSO_LOGOUT_COOKIE)?.value) redirect("/api/auth/oidc/logout");
  const { next, error } = await searchParams;
  return (
    <main id="main" className="mx-auto flex max-w-7xl justify-center px-4 py-12 sm:px-6 sm:py-20">
      <LoginForm
        next={safeNextPath(typeof next === "string" ? next : null)}
        sso={ssoOption()}
        ssoError={typeof error === "string" ? error : null}
      />
    </main>
  );
}
