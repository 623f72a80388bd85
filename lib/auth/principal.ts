// Reads the operator the proxy verified (route handlers and server components).
import { ServiceError } from "../errors";
import { PRINCIPAL_HEADER } from "./access";
import type { Principal } from "./schemas";

export function principalFromHeaders(headers: Headers): Principal | null {
  const raw = headers.get(PRINCIPAL_HEADER);
  if (!raw) return null;
  try {
    return JSON.parse(decodeURIComponent(raw)) as Principal;
  } catch {
    return null;
  }
}

export function requirePrincipal(request: Request): Principal {
  const principal = principalFromHeaders(request.headers);
  if (principal === null) throw new ServiceError("unauthorized", "Log in first.");
  return principal;
}

export function requireAdmin(request: Request): Principal {
  const principal = requirePrincipal(request);
  if (principal.role !== "admin") throw new ServiceError("forbidden", "Only admins may do this.");
  return principal;
}
