import "server-only";
import { isDatabaseOutOfResources, isDatabaseUnavailable, ServiceError } from "../errors";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { countIngest } from "../metrics/registry";
import { parseBody, parseItems } from "./parse";
import { storeBatch } from "./store";

export interface IngestResponse {
  accepted: number;
  duplicates: number;
  rejected: { index: number; error: string }[];
}

/**
 * POST /api/ingest behind the HTTP layer: parse, validate, store.
 * Rejected items are quarantined in the same transaction as the accepted ones.
 */
export async function ingest(bodyText: string, now: Date = new Date()): Promise<IngestResponse> {
  return ingestItems(parseBody(bodyText), now);
}

/**
 * Validates and stores items already split from a body: envelopes or bare
 * payloads, as `/api/ingest` takes them. The other sources' routes map their
 * vendors' messages to these first (lib/sources), so every source shares
 * one validation, dedupe and quarantine.
 */
export async function ingestItems(
  items: readonly unknown[],
  now: Date = new Date(),
): Promise<IngestResponse> {
  const batch = parseItems(items, now.getTime());
  try {
    const stored = await storeBatch(
      db().pool,
      batch.accepted,
      batch.rejected,
      now,
      presenceConfig(),
    );
    countIngest({
      accepted: stored.inserted,
      duplicates: stored.duplicates,
      rejected: batch.rejected.length,
    });
    return {
      accepted: stored.inserted,
      duplicates: stored.duplicates,
      rejected: batch.rejected.map((r) => ({ index: r.index, error: r.error })),
    };
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      throw new ServiceError(
        "database_unavailable",
        "The database is unreachable; nothing was stored. Retry later.",
        {
          cause: error,
        },
      );
    }
    if (isDatabaseOutOfResources(error)) {
      throw new ServiceError(
        "database_unavailable",
        `The database is short of resources for this batch (${(error as Error).message}); nothing was stored. Retry later.`,
        { cause: error },
      );
    }
    throw error;
  }
}
