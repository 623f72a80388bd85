// Scrolling a list must not recount the fleet on every page: later pages of
// one search reuse the first page's counts for a few seconds.
import { beforeEach, describe, expect, it } from "vitest";
import { POST as ingest } from "@/app/api/ingest/route";
import { resetDatabase } from "@/test/support/db";
import { connected, envelope } from "@/test/support/events";
import { ingestRequest } from "@/test/support/routes";
import { listClients } from "./list";
import { ListClientsQuery } from "./schemas";

async function post(...ids: string[]) {
  const r = await ingest(
    ingestRequest(ids.map((id, i) => envelope(connected(id, Date.now() - 1_000 + i, 1)))),
  );
  expect(r.status).toBe(200);
}

beforeEach(resetDatabase);

describe("listClients counts", () => {
  it("counts afresh on a first page and reuses that answer on the pages after it", async () => {
    await post("count-a", "count-b", "count-c");
    const first = await listClients(ListClientsQuery.parse({ limit: 1, q: "count-" }));
    expect(first.counts.total).toBe(3);
    await post("count-d");
    const second = await listClients(
      ListClientsQuery.parse({ limit: 1, q: "count-", cursor: first.nextCursor }),
    );
    expect(second.items).toHaveLength(1);
    expect(second.counts.total).toBe(3); // reused: no recount while scrolling
    const again = await listClients(ListClientsQuery.parse({ limit: 1, q: "count-" }));
    expect(again.counts.total).toBe(4); // a first page always counts afresh
  });

  it("keeps the counts of different searches apart", async () => {
    await post("apart-x1", "apart-x2", "apart-y1");
    const x = await listClients(ListClientsQuery.parse({ limit: 1, q: "apart-x" }));
    const y = await listClients(ListClientsQuery.parse({ limit: 1, q: "apart-y" }));
    expect([x.counts.total, y.counts.total]).toEqual([2, 1]);
    const x2 = await listClients(
      ListClientsQuery.parse({ limit: 1, q: "apart-x", cursor: x.nextCursor }),
    );
    expect(x2.counts.total).toBe(2);
  });
});
