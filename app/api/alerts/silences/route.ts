// GET/POST /api/alerts/silences – list silences (viewers), create one (admins; the author is the operator)
import { CreateSilenceBody } from "@/lib/alerts/schemas";
import { createSilence, listSilences } from "@/lib/alerts/silences";
import { collectionRoute } from "@/lib/http/collection-route";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = collectionRoute("viewer", {
  list: listSilences,
  body: [CreateSilenceBody, "JSON {selector?, ruleIds?, startsAt?, endsAt, reason}"],
  create: (body, admin) => createSilence(body, admin.username),
});
