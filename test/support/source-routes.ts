// Helpers for the source routes' tests: requests as the vendors send them,
// and the fleet as the API then lists it.
import fc from "fast-check";
import { listClients } from "../../lib/clients/list";
import { BASE } from "./routes";
import { resetDatabase } from "./db";

/** How a vendor request differs from a plain authorised JSON POST. */
export interface VendorRequestOptions {
  token?: string | null;
  headers?: Record<string, string>;
  method?: string;
}

/** A start long enough ago that no disconnect of a test history is still in its grace period. */
export const settledStart = () => Date.now() - 2 * 60 * 60_000;

export function vendorRequest(
  path: string,
  body: unknown,
  options: VendorRequestOptions = {},
): Request {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    ...options.headers,
  };
  const token = options.token === undefined ? "test-token" : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return new Request(`${BASE}${path}`, {
    method: options.method ?? "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Posts to a source route's handler as the vendor would (the test ingest token by default). */
export function vendorPost(handler: (request: Request) => Promise<Response>, path: string) {
  return (body: unknown, options?: VendorRequestOptions) =>
    handler(vendorRequest(path, body, options));
}

/** The fields of every listed client that delivery order must not change. */
export async function fleetStatuses() {
  const page = await listClients({ sort: "clientId", limit: 500 });
  return page.items.map((c) => ({
    clientId: c.clientId,
    status: c.status,
    since: c.since,
    sessionIdentifier: c.sessionIdentifier,
    versionNumber: c.versionNumber,
    disconnectReason: c.disconnectReason,
    source: c.source,
    thingName: c.thingName,
  }));
}

/**
 * Posts `messages` one request each, in order, then in random orders with
 * duplicates (`runs` times, a fresh database each), and checks each
 * delivery lists the same fleet as in-order delivery. Returns that fleet.
 */
export async function expectOrderFree(
  messages: readonly unknown[],
  post: (message: unknown) => Promise<Response>,
  runs = 8,
) {
  const deliver = async (delivery: readonly unknown[]) => {
    await resetDatabase();
    for (const message of delivery) {
      const response = await post(message);
      if (response.status !== 200)
        throw new Error(`HTTP ${response.status}: ${await response.text()}`);
      const body = (await response.json()) as { rejected: unknown[] };
      if (body.rejected.length > 0) throw new Error(`rejected: ${JSON.stringify(body.rejected)}`);
    }
    return fleetStatuses();
  };
  const inOrder = await deliver(messages);
  await fc.assert(
    fc.asyncProperty(
      fc
        .array(fc.nat({ max: messages.length - 1 }), { maxLength: messages.length })
        .chain((dups) => {
          const all = [...messages, ...dups.map((i) => structuredClone(messages[i]))];
          return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
        }),
      async (delivery) => {
        const got = await deliver(delivery);
        if (JSON.stringify(got) !== JSON.stringify(inOrder))
          throw new Error(
            `differs:\n${JSON.stringify(got)}\nvs in order:\n${JSON.stringify(inOrder)}`,
          );
      },
    ),
    { numRuns: runs },
  );
  return inOrder;
}
