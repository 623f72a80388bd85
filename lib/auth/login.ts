import { ServiceError } from "../errors";
import { verifyLogin } from "./operators";
import { checkLoginRate, clientAddress } from "./rate-limit";
import { LoginBody } from "./schemas";
import { createSession, isHttps, sessionCookies } from "./sessions";

async function readLoginBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
    const form = await request.formData();
    return { username: form.get("username"), password: form.get("password") };
  }
  try {
    return await request.json();
  } catch {
    throw new ServiceError(
      "invalid_json",
      "Body must be JSON {username, password} or a login form.",
    );
  }
}

/** POST /api/auth/login: checks the credentials and opens a session. */
export async function login(
  request: Request,
): Promise<{ body: { username: string; role: string }; cookies: string[] }> {
  checkLoginRate(clientAddress(request));
  const parsed = LoginBody.safeParse(await readLoginBody(request));
  if (!parsed.success) {
    throw new ServiceError("invalid_body", parsed.error.issues.map((i) => i.message).join("; "));
  }
  const operator = await verifyLogin(parsed.data.username, parsed.data.password);
  const session = await createSession(operator.id);
  return {
    body: { username: operator.username, role: operator.role },
    cookies: sessionCookies(session, isHttps(request)),
  };
}
