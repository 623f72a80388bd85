// The admin `[id]` routes of operators, ingest tokens and API tokens, called
// directly against real PostgreSQL: admins only, the id from the path, 404
// for an unknown one, and each route's answer (a deleted operator: 204 and
// gone; a revoked token: its view, revoked by whom).
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PRINCIPAL_HEADER } from "@/lib/auth/access";
import { createApiToken } from "@/lib/auth/api-tokens";
import { createIngestToken } from "@/lib/auth/ingest-tokens";
import { createOperator, listOperators } from "@/lib/auth/operators";
import type { Principal } from "@/lib/auth/schemas";
import { BASE, params } from "@/test/support/routes";
import { DELETE as revokeApiTokenRoute } from "./api-tokens/[id]/route";
import { DELETE as deleteOperatorRoute, PATCH as patchOperatorRoute } from "./operators/[id]/route";
import { DELETE as revokeIngestTokenRoute } from "./tokens/[id]/route";

const ADMIN: Principal = {
  operatorId: "1",
  username: "route-admin",
  role: "admin",
  csrfToken: "x",
};
const VIEWER: Principal = {
  operatorId: "2",
  username: "route-viewer",
  role: "viewer",
  csrfToken: "y",
};

function request(method: string, as: Principal, body?: unknown): Request {
  return new Request(`${BASE}/api/admin/x`, {
    method,
    headers: {
      "Content-Type": "application/json",
      [PRINCIPAL_HEADER]: encodeURIComponent(JSON.stringify(as)),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const unique = () => `op-${randomUUID().slice(0, 8)}`;

describe("admin [id] routes", () => {
  it("operators: PATCH answers the changed operator, DELETE 204 and it is gone", async () => {
    // Another admin stays, so the last-admin guard does not refuse.
    await createOperator({ username: unique(), password: "a-long-password-1", role: "admin" });
    const op = await createOperator({
      username: unique(),
      password: "a-long-password-1",
      role: "viewer",
    });
    const patched = await patchOperatorRoute(
      request("PATCH", ADMIN, { role: "admin" }),
      params({ id: op.id }),
    );
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ id: op.id, role: "admin" });

    expect(
      (await deleteOperatorRoute(request("DELETE", VIEWER), params({ id: op.id }))).status,
    ).toBe(403);
    const removed = await deleteOperatorRoute(request("DELETE", ADMIN), params({ id: op.id }));
    expect(removed.status).toBe(204);
    expect(await removed.text()).toBe("");
    expect((await listOperators()).map((o) => o.id)).not.toContain(op.id);
    const again = await deleteOperatorRoute(request("DELETE", ADMIN), params({ id: op.id }));
    expect(again.status).toBe(404);
  });

  it("ingest tokens: DELETE revokes and answers the token's view; viewers get 403", async () => {
    const { info } = await createIngestToken(unique(), "someone");
    const refused = await revokeIngestTokenRoute(
      request("DELETE", VIEWER),
      params({ id: info.id }),
    );
    expect(refused.status).toBe(403);
    const r = await revokeIngestTokenRoute(request("DELETE", ADMIN), params({ id: info.id }));
    expect(r.status).toBe(200);
    const body = (await r.json()) as { id: string; revokedAt: string | null };
    expect(body.id).toBe(info.id);
    expect(body.revokedAt).not.toBeNull();
    const unknown = await revokeIngestTokenRoute(request("DELETE", ADMIN), params({ id: "x" }));
    expect(unknown.status).toBe(404);
  });

  it("API tokens: DELETE revokes in the admin's name", async () => {
    const token = await createApiToken({ name: unique(), role: "viewer" }, "someone");
    const r = await revokeApiTokenRoute(request("DELETE", ADMIN), params({ id: token.id }));
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ id: token.id, revokedBy: ADMIN.username });
    const unknown = await revokeApiTokenRoute(request("DELETE", ADMIN), params({ id: "999999" }));
    expect(unknown.status).toBe(404);
  });
});
