// A throw-away stand-in for POST /api/ingest, for bridge tests that need
// faults the real app cannot be made to produce on cue (a given status for
// the next N requests). End-to-end tests use the real app instead.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeIngest {
  url: string;
  /** Every envelope received in a 2xx answer, in arrival order (duplicates included). */
  envelopes: { topic: string; payload: string }[];
  /** Sizes of the non-empty batches answered 2xx. */
  batches: number[];
  requests: number;
  /** Decides the status of the next request; default 200. */
  respond: (envelopes: { topic: string; payload: string }[]) => number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startFakeIngest(
  options: { token?: string; port?: number } = {},
): Promise<FakeIngest> {
  const token = options.token ?? "test-token";
  const fake: FakeIngest = {
    url: "",
    envelopes: [],
    batches: [],
    requests: 0,
    respond: () => 200,
    stop: async () => undefined,
    start: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      fake.requests += 1;
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "unauthorized", message: "bad token" } }));
        return;
      }
      let body: { topic: string; payload: string }[];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          topic: string;
          payload: string;
        }[];
      } catch {
        res
          .writeHead(400)
          .end(JSON.stringify({ error: { code: "invalid_json", message: "not JSON" } }));
        return;
      }
      const status = fake.respond(body);
      if (status >= 200 && status < 300) {
        fake.envelopes.push(...body);
        if (body.length > 0) fake.batches.push(body.length);
      }
      res.writeHead(status, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          status < 300
            ? { accepted: body.length, duplicates: 0, rejected: [] }
            : { error: { code: "x", message: `status ${status}` } },
        ),
      );
    });
  });
  let port = options.port ?? 0;
  fake.start = () =>
    new Promise<void>((resolve) => {
      server.listen(port, "127.0.0.1", () => {
        port = (server.address() as AddressInfo).port;
        fake.url = `http://127.0.0.1:${port}/api/ingest`;
        resolve();
      });
    });
  fake.stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await fake.start();
  return fake;
}
