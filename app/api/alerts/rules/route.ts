// GET/POST /api/alerts/rules – list alert rules (viewers), create one (admins)
import { createRule, listRules } from "@/lib/alerts/rules";
import { CreateRuleBody } from "@/lib/alerts/schemas";
import { bodyRoute, guardedRoute } from "@/lib/http/guarded-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = guardedRoute("viewer", async () => Response.json(await listRules()));

const post = bodyRoute(
  "admin",
  CreateRuleBody,
  "JSON {name, kind, selector?, forSeconds?, threshold?, thresholdShare?, windowSeconds?, channelIds?}",
  async (body) => Response.json(await createRule(body), { status: 201 }),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, POST: post });
