// PATCH/DELETE /api/admin/operators/{id} – change role, disable, reset password, delete (admins only)
import { adminDeleteById, adminPatchById } from "@/lib/auth/admin-id-routes";
import { deleteOperator, updateOperator } from "@/lib/auth/operators";
import { UpdateOperatorBody } from "@/lib/auth/schemas";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({
  PATCH: adminPatchById(UpdateOperatorBody, "JSON {role?, disabled?, password?}", updateOperator),
  DELETE: adminDeleteById(deleteOperator),
});
