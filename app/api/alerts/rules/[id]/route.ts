// PATCH/DELETE /api/alerts/rules/{id} – change or delete an alert rule (admins)
import { deleteRule, updateRule } from "@/lib/alerts/rules";
import { PatchRuleBody } from "@/lib/alerts/schemas";
import { adminDeleteById, adminPatchById } from "@/lib/auth/admin-id-routes";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({
  PATCH: adminPatchById(PatchRuleBody, "JSON with the rule fields to change", updateRule),
  DELETE: adminDeleteById(deleteRule),
});
