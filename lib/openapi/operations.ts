// Every public route, described once: its path as Next serves it, who may
// call it, and the same zod schemas the route parses its input with. The
// OpenAPI document (document.ts) is generated from this table, and a test
// (openapi.app.test.ts) holds it to the route files under app/ and to the
// routes' 400s.
import type { Operation } from "./operation";
import { FLEET_OPERATIONS } from "./operations-fleet";
import { MACHINE_OPERATIONS } from "./operations-machines";
import { MANAGE_OPERATIONS } from "./operations-manage";
import { REPORT_OPERATIONS } from "./operations-reports";

export type { Access, Method, Operation } from "./operation";

export const OPERATIONS: readonly Operation[] = [
  ...FLEET_OPERATIONS,
  ...MANAGE_OPERATIONS,
  ...REPORT_OPERATIONS,
  ...MACHINE_OPERATIONS,
];
