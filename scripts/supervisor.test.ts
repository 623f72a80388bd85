import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { describePortHolder, portIsFree } from "./supervisor";

describe("a taken port", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it("is reported with the process that holds it", async () => {
    server = createServer();
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    expect(await portIsFree("127.0.0.1", port)).toBe(false);
    expect(describePortHolder(port)).toMatch(new RegExp(`^pid ${process.pid} \\(.*node`));
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    expect(await portIsFree("127.0.0.1", port)).toBe(true);
    expect(describePortHolder(port)).toBeUndefined();
  });
});
