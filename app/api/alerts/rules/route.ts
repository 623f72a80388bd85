// GET/POST /api/alerts/rules – list alert rules (viewers), create one (admins)
import { createRule, listRules } from "@/lib/alerts/rules";
import { CreateRuleBody } from "@/lib/alerts/schemas";
import { collectionRoute } from "@/lib/http/collection-route";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = collectionRoute("viewer", {
  list: listRules,
  body: [
    CreateRuleBody,
    "JSON {name, kind, selector?, forSeconds?, threshold?, thresholdShare?, windowSeconds?, channelIds?}",
  ],
  create: (body) => createRule(body),
});
