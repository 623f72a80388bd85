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
