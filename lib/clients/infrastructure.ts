// Infrastructure clients (the bridge itself, other services of the operator's
// own) connect to the same broker as the devices, so the broker reports their
// lifecycle events too. They are not part of the fleet: the list, the counts,
// the online chart, the live stream and the fleet-wide export leave them out;
// their own page still works and says what they are.
import { sql, type Sql } from "../db/sql";

type Env = Readonly<Record<string, string | undefined>>;

/** The bridge's default client ID is `fleet-presence-bridge-<hostname>` (lib/bridge/config.ts). */
export const DEFAULT_INFRASTRUCTURE_CLIENT_IDS = "fleet-presence-bridge-*";

/** INFRASTRUCTURE_CLIENT_IDS: comma-separated client IDs, `*` matching any run of characters. */
export function infrastructureGlobs(env: Env = process.env): string[] {
  return (env.INFRASTRUCTURE_CLIENT_IDS ?? DEFAULT_INFRASTRUCTURE_CLIENT_IDS)
    .split(",")
    .map((glob) => glob.trim())
    .filter((glob) => glob.length > 0);
}

/** A glob as a LIKE pattern: `*` is `%`; LIKE's own wildcards and escape are literal. */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%");
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*");
  return new RegExp(`^${body}$`);
}

/** Whether `clientId` is an infrastructure client (the TypeScript twin of fleetMemberSql). */
export function isInfrastructureClient(clientId: string, env: Env = process.env): boolean {
  return infrastructureGlobs(env).some((glob) => globToRegExp(glob).test(clientId));
}

/** SQL: `column` is a fleet member, not an infrastructure client. */
export function fleetMemberSql(column: Sql, env: Env = process.env): Sql {
  return sql`NOT (${column} LIKE ANY(${infrastructureGlobs(env).map(globToLike)}::text[]))`;
}
