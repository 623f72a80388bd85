// A collection route: GET lists it (for `listRole`), POST creates one member
// (admins only) from a JSON body parsed by its zod schema and answers 201;
// every other method is the contract's 405. Both answers are no-store
// (routeMethods), which matters where the created member carries a secret
// shown once.
import "server-only";
import type { z } from "zod";
import type { Principal } from "../auth/schemas";
import { bodyRoute, guardedRoute, type Role } from "./guarded-route";
import { routeMethods } from "./route-methods";

export function collectionRoute<T extends z.ZodType>(
  listRole: Role,
  spec: {
    /** The GET answer's JSON body. */
    list: () => Promise<unknown>;
    /** The POST body's schema, and what a body should be (said in the 400). */
    body: [schema: T, expected: string];
    /** The created member, answered as JSON with 201. */
    create: (body: z.infer<T>, admin: Principal) => Promise<unknown>;
  },
) {
  const get = guardedRoute(listRole, async () => Response.json(await spec.list()));
  const [schema, expected] = spec.body;
  const post = bodyRoute("admin", schema, expected, async (body, admin) =>
    Response.json(await spec.create(body, admin), { status: 201 }),
  );
  return routeMethods({ GET: get, POST: post });
}
