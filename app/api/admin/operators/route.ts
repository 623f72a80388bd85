// GET/POST /api/admin/operators – list operator accounts, create one (admins only)
import { createOperator, listOperators } from "@/lib/auth/operators";
import { CreateOperatorBody } from "@/lib/auth/schemas";
import { bodyRoute, guardedRoute } from "@/lib/http/guarded-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = guardedRoute("admin", async () => Response.json({ items: await listOperators() }));

const post = bodyRoute(
  "admin",
  CreateOperatorBody,
  "JSON {username, password, role}",
  async (body) => Response.json(await createOperator(body), { status: 201 }),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, POST: post });
