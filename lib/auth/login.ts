import "server-only";
import { describeIssues, ServiceError } from "../errors";
import { readBodyText } from "../http/body";
import { verifyLogin } from "./operators";
import { MAX_JSON_BODY_BYTES, readJsonBody } from "./parse-json";
import { checkLoginRate, clientAddress } from "./rate-limit";
import { safeNextPath } from "../../contract/safe-next";
import { LoginBody } from "./schemas";
import { createSession, isHttps, sessionCookies } from "./sessions";

interface LoginInput {
  credentials: unknown;
  /** A plain HTML form post (no JavaScript yet): answer with redirects, not JSON. */
  form: boolean;
  next: string | null;
}

/** A login form's fields, read with the same size limit as JSON; a malformed form is a 400. */
async function readLoginForm(request: Request, type: string): Promise<FormData> {
  const text = await readBodyText(request, MAX_JSON_BODY_BYTES);
  try {
    return await new Response(text, { headers: { "Content-Type": type } }).formData();
  } catch {
    throw new ServiceError(
      "invalid_body",
      "The login form is malformed (multipart/form-data needs a boundary and well-formed parts).",
    );
  }
}

async function readLoginBody(request: Request): Promise<LoginInput> {
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
    const form = await readLoginForm(request, type);
    const next = form.get("next");
    return {
      credentials: { username: form.get("username"), password: form.get("password") },
      form: true,
      next: typeof next === "string" ? next : null,
    };
  }
  return {
    credentials: await readJsonBody(request, "JSON {username, password} or a login form"),
    form: false,
    next: null,
  };
}

export interface LoginOutcome {
  body: { username: string; role: string };
  cookies: string[];
}

async function authenticate(request: Request, input: LoginInput): Promise<LoginOutcome> {
  const parsed = LoginBody.safeParse(input.credentials);
  if (!parsed.success)
    throw new ServiceError("invalid_body", describeIssues(parsed.error, { fields: "always" }));
  const operator = await verifyLogin(parsed.data.username, parsed.data.password);
  const session = await createSession(operator.id);
  return {
    body: { username: operator.username, role: operator.role },
    cookies: sessionCookies(session, isHttps(request)),
  };
}

/** Error codes the login page explains (its `?error=` parameter). */
function loginErrorCode(error: unknown): string {
  if (error instanceof ServiceError) {
    if (error.code === "unauthorized") return "invalid_credentials";
    if (error.code === "too_many_requests") return "too_many_attempts";
    if (error.code === "database_unavailable") return "database_unavailable";
  }
  return "login_failed";
}

/**
 * POST /api/auth/login: checks the credentials and opens a session. JSON in,
 * JSON out; a plain form post (before the page's script runs) gets a 303 to
 * a same-site `next`, or back to the login page with the error.
 */
export async function login(request: Request): Promise<Response> {
  checkLoginRate(clientAddress(request));
  const input = await readLoginBody(request);
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (!input.form) {
    const outcome = await authenticate(request, input);
    for (const cookie of outcome.cookies) headers.append("Set-Cookie", cookie);
    return Response.json(outcome.body, { headers });
  }
  const next = safeNextPath(input.next);
  try {
    const outcome = await authenticate(request, input);
    for (const cookie of outcome.cookies) headers.append("Set-Cookie", cookie);
    headers.set("Location", next);
  } catch (error) {
    const params = new URLSearchParams({ error: loginErrorCode(error), next });
    headers.set("Location", `/login?${params}`);
  }
  return new Response(null, { status: 303, headers });
}
