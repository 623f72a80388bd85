import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  appendFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Spool } from "./spool";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "spool-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const env = (i: number) => JSON.stringify({ topic: `t/${i}`, payload: `{"n":${i}}` });

/** A spool in `dir` holding envelopes 0 to count - 1 (received at 0, 1, …). */
function filled(dir: string, count: number): Spool {
  const spool = new Spool({ dir, fsync: "off" });
  for (let i = 0; i < count; i += 1) spool.append(i, env(i));
  return spool;
}

/** Reads the next `count` envelopes and acknowledges them, as the bridge does once they are stored. */
function acknowledge(spool: Spool, count: number) {
  const batch = spool.readBatch(count, 1 << 20)!;
  spool.commit(batch.end, count);
  return batch;
}

describe("spool", () => {
  it("reads back appended envelopes in order, in bounded batches", () => {
    const spool = new Spool({ dir: tempDir(), fsync: "off" });
    for (let i = 0; i < 10; i += 1) spool.append(1000 + i, env(i));
    const a = spool.readBatch(4, 1 << 20)!;
    const b = spool.readBatch(100, 1 << 20)!;
    expect(a.envelopes()).toEqual([0, 1, 2, 3].map(env));
    expect(a.firstReceivedAt).toBe(1000);
    expect(b.count).toBe(6);
    expect(spool.readBatch(10, 1 << 20)).toBeNull();
    expect(spool.pending).toBe(10);
    spool.commit(a.end, 4);
    expect(spool.pending).toBe(6);
    spool.close();
  });

  it("after a crash resends everything past the cursor, never what was acknowledged", () => {
    const dir = tempDir();
    const first = filled(dir, 5);
    acknowledge(first, 2);
    first.readBatch(10, 1 << 20); // read but never acknowledged
    // No close(): the process "dies" here.
    const second = new Spool({ dir, fsync: "off" });
    expect(second.pending).toBe(3);
    expect(second.readBatch(10, 1 << 20)!.envelopes()).toEqual([2, 3, 4].map(env));
    second.close();
  });

  it("cuts a torn last record and keeps appending after it", () => {
    const dir = tempDir();
    const first = new Spool({ dir, fsync: "off" });
    first.append(1, env(1));
    first.close();
    const segment = readdirSync(dir).find((f) => f.startsWith("segment-"))!;
    appendFileSync(path.join(dir, segment), '2 {"topic":"half');
    const second = new Spool({ dir, fsync: "always" });
    expect(second.pending).toBe(1);
    second.append(3, env(3));
    expect(second.readBatch(10, 1 << 20)!.envelopes()).toEqual([env(1), env(3)]);
    expect(readFileSync(path.join(dir, segment), "utf8")).not.toContain("half");
    second.close();
  });

  it("rotates segments, deletes acknowledged ones and bounds its size", () => {
    const dir = tempDir();
    const spool = new Spool({ dir, fsync: "off", segmentBytes: 200, maxBytes: 1000 });
    let appended = 0;
    while (spool.hasRoom(64)) {
      spool.append(appended, env(appended));
      appended += 1;
    }
    expect(spool.bytes).toBeLessThanOrEqual(1000);
    expect(readdirSync(dir).filter((f) => f.startsWith("segment-")).length).toBeGreaterThan(3);
    let seen = 0;
    for (let b = spool.readBatch(3, 1 << 20); b; b = spool.readBatch(3, 1 << 20)) {
      b.envelopes().forEach((e, i) => expect(e).toBe(env(seen + i)));
      seen += b.count;
      spool.commit(b.end, b.count);
    }
    expect(seen).toBe(appended);
    expect(spool.pending).toBe(0);
    expect(spool.hasRoom(900)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith("segment-")).length).toBe(1);
    spool.close();
  });

  it("queues records until flush writes them all at once; nothing queued is readable before", () => {
    const dir = tempDir();
    const spool = new Spool({ dir, fsync: "always" });
    for (let i = 0; i < 5; i += 1) spool.enqueue(i, env(i));
    expect(spool.readBatch(10, 1 << 20)).toBeNull();
    expect(spool.pending).toBe(5);
    const segment = readdirSync(dir).find((f) => f.startsWith("segment-"))!;
    expect(readFileSync(path.join(dir, segment), "utf8")).toBe("");
    expect(spool.flush()).toBe(5);
    expect(readFileSync(path.join(dir, segment), "utf8").split("\n")).toHaveLength(6);
    expect(spool.readBatch(10, 1 << 20)!.body.toString()).toBe(
      `[${[0, 1, 2, 3, 4].map(env).join(",")}]`,
    );
    spool.enqueue(5, env(5));
    spool.close(); // writes what is still queued
    const again = new Spool({ dir, fsync: "off" });
    expect(again.readBatch(10, 1 << 20)!.envelopes()).toEqual([0, 1, 2, 3, 4, 5].map(env));
    again.close();
  });

  it("rewrites the cursor in place; reads an old cursor.json, and a torn one means resending all", () => {
    const dir = tempDir();
    const first = filled(dir, 4);
    const a = acknowledge(first, 1);
    acknowledge(first, 1);
    first.close();
    const cursorFile = path.join(dir, "cursor.json");
    expect(readFileSync(cursorFile).length).toBe(96);
    expect(new Spool({ dir, fsync: "off" }).pending).toBe(2);
    // Written by an older bridge (write + rename, no check).
    writeFileSync(cursorFile, JSON.stringify(a.end));
    const old = new Spool({ dir, fsync: "off" });
    expect(old.readBatch(10, 1 << 20)!.envelopes()).toEqual([1, 2, 3].map(env));
    old.close();
    // Torn by a machine crash: an offset that fails its check.
    const torn = readFileSync(cursorFile, "utf8").replace(/"offset":(\d+)/, '"offset":1$1');
    writeFileSync(cursorFile, torn);
    const resent = new Spool({ dir, fsync: "off" });
    expect(resent.readBatch(10, 1 << 20)!.envelopes()).toEqual([0, 1, 2, 3].map(env));
    resent.close();
  });

  it("wakes writers waiting for room when ingest acknowledges", async () => {
    const spool = new Spool({ dir: tempDir(), fsync: "off", maxBytes: 100 });
    spool.append(1, env(1));
    spool.append(2, env(2));
    expect(spool.hasRoom(60)).toBe(false);
    const woken = spool.waitForRoom().then(() => spool.hasRoom(60));
    const b = spool.readBatch(10, 1 << 20)!;
    spool.commit(b.end, 2);
    await expect(woken).resolves.toBe(true);
    spool.close();
  });
});
