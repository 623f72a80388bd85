// GET /api/clients – list clients with status, search, sort and cursor pagination
import { queryRoute } from "@/lib/http/query-route";
import { listClients } from "@/lib/clients/list";
import { ListClientsQuery } from "@/lib/clients/schemas";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = queryRoute(ListClientsQuery, async (query) => Response.json(await listClients(query)));

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
