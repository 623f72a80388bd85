// Calls route handlers the way Next.js does: a Request in, a Response out.
export const BASE = "http://fleet.test";

export function ingestRequest(body: unknown, token: string | null = "test-token"): Request {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return new Request(`${BASE}/api/ingest`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export function params<T extends Record<string, string>>(value: T): { params: Promise<T> } {
  return { params: Promise.resolve(value) };
}

export async function json(response: Response): Promise<unknown> {
  return response.json();
}

/** A viewer the proxy has let through (what it sets in x-fleet-principal), for handlers that read it. */
export const TEST_VIEWER = {
  operatorId: "900001",
  username: "route-test-viewer",
  role: "viewer",
  csrfToken: "route-test-csrf",
} as const;

/** A Request as the proxy forwards it for a logged-in viewer (TEST_VIEWER unless `operatorId` names another). */
export function viewerRequest(
  url: string,
  init: RequestInit = {},
  operatorId: string = TEST_VIEWER.operatorId,
): Request {
  const headers = new Headers(init.headers);
  const principal = { ...TEST_VIEWER, operatorId, username: `viewer-${operatorId}` };
  headers.set("x-fleet-principal", encodeURIComponent(JSON.stringify(principal)));
  return new Request(url, { ...init, headers });
}
