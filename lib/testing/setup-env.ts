// Every test file talks to the scratch database of the global setup.
import { inject } from "vitest";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.INGEST_TOKEN ??= "test-token,rotated-token";
