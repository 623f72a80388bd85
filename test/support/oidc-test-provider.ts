// Tests only: a real OpenID Connect provider (oidc-provider) on a loopback
// port, with accounts the test can change between logins, and a browser-like
// driver for its (development) login and consent pages.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface TestAccount {
  preferred_username?: string;
  email?: string;
  email_verified?: boolean;
  groups?: string[];
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by subject; changes apply to the next login. */
  accounts: Map<string, TestAccount>;
  stop(): Promise<void>;
}

export async function startTestProvider(opts: {
  redirectUri: string;
  /** Where RP-initiated logout may return to (the app's /login). */
  postLogoutRedirectUri?: string;
}): Promise<TestProvider> {
  const accounts = new Map<string, TestAccount>();
  // The issuer URL needs the port, so the handler is attached after listen().
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "fleet-dashboard";
  const clientSecret = "test-client-secret-with-enough-entropy";
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        ...(opts.postLogoutRedirectUri
          ? { post_logout_redirect_uris: [opts.postLogoutRedirectUri] }
          : {}),
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    // The dev login form accepts any login name: it is the subject.
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, ...accounts.get(sub) }),
    }),
    claims: {
      openid: ["sub"],
      profile: ["preferred_username"],
      email: ["email", "email_verified"],
      groups: ["groups"],
    },
    cookies: { keys: ["test-provider-cookie-key"] },
    features: { devInteractions: { enabled: true } },
  });
  const handle = provider.callback();
  server.on("request", (request, response) => void handle(request, response));
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Just enough of a browser's cookie store for one site. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((a) => {
        const [key = "", value = ""] = a.trim().split("=");
        if (key.toLowerCase() === "max-age") return Number(value) <= 0;
        if (key.toLowerCase() === "expires") return new Date(value).getTime() <= Date.now();
        return false;
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/**
 * Follows the provider's redirects and answers its login page (as `login`)
 * and consent page (or aborts at the first page when `abort`), until the
 * provider sends the browser back to `appOrigin`. Returns that URL.
 */
export async function driveProvider(
  authorizationUrl: string,
  appOrigin: string,
  action: { login: string } | { abort: true },
  /** The browser's cookies at the provider: pass one to keep its session across logins. */
  jar: CookieJar = new CookieJar(),
): Promise<URL> {
  let url = new URL(authorizationUrl);
  let init: RequestInit = {};
  for (let step = 0; step < 20; step += 1) {
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.store(response);
    init = {};
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      url = new URL(location, url);
      if (url.origin === appOrigin) return url;
      continue;
    }
    const page = await response.text();
    if (response.status !== 200) throw new Error(`provider answered ${response.status}: ${page}`);
    if ("abort" in action) {
      url = new URL(`${url.pathname}/abort`, url);
      continue;
    }
    if (/id="op.logoutForm"/.test(page)) {
      // RP-initiated logout: the provider asks for confirmation; say yes.
      const action = /action="([^"]+)"/.exec(page)![1]!;
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)![1]!;
      url = new URL(action, url);
      init = {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ xsrf, logout: "yes" }).toString(),
      };
      continue;
    }
    const prompt = /name="prompt" value="login"/.test(page) ? "login" : "consent";
    init = {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(
        prompt === "login" ? { prompt, login: action.login, password: "any" } : { prompt },
      ).toString(),
    };
  }
  throw new Error("the provider never redirected back to the app");
}
