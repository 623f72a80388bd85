// PATCH/DELETE /api/alerts/channels/{id} – change or delete an alert channel (admins)
import { deleteChannel, updateChannel } from "@/lib/alerts/channel-store";
import { PatchChannelBody } from "@/lib/alerts/schemas";
import { adminDeleteById, adminPatchById } from "@/lib/auth/admin-id-routes";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({
  PATCH: adminPatchById(PatchChannelBody, "JSON with the channel fields to change", updateChannel),
  DELETE: adminDeleteById(deleteChannel),
});
