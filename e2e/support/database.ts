import pg from "pg";

export const E2E_TOKEN = "e2e-token";
export const E2E_GRACE_SECONDS = 3;

/** A throw-away database on the given server; its own data is never touched. */
export async function createScratchDatabase(
  serverUrl: string,
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Runs statements against the app's database (seeding, resetting). */
export async function withDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function resetData(url: string): Promise<void> {
  await withDatabase(url, (c) =>
    c.query(
      "TRUNCATE lifecycle_event, connection, client_state, subscription_state, connect_failure, quarantined_event RESTART IDENTITY",
    ),
  );
}
