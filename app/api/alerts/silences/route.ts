// GET/POST /api/alerts/silences – list silences (viewers), create one (admins; the author is the operator)
import { CreateSilenceBody } from "@/lib/alerts/schemas";
import { createSilence, listSilences } from "@/lib/alerts/silences";
import { bodyRoute, guardedRoute } from "@/lib/http/guarded-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = guardedRoute("viewer", async () => Response.json(await listSilences()));

const post = bodyRoute(
  "admin",
  CreateSilenceBody,
  "JSON {selector?, ruleIds?, startsAt?, endsAt, reason}",
  async (body, admin) => Response.json(await createSilence(body, admin.username), { status: 201 }),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, POST: post });
