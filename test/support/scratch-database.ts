// Throw-away databases for tests and benchmarks: created on a server (the
// embedded one, or DATABASE_URL's) whose own databases are never touched,
// and dropped afterwards WITH (FORCE), whoever is still connected.
import { withClient } from "./db";

export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A new empty database named `<prefix>_<pid>_<ms>` on the server at `serverUrl` (not migrated). */
export async function createScratchDatabase(
  serverUrl: string,
  prefix: string,
): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}
