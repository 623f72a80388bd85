import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { signalable } from "./proc";

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe("watchSupervisor", () => {
  it("ends the watcher's whole process group once the supervisor is gone", async () => {
    // A stand-in supervisor, and an "app" in a group of its own that started a worker of its own.
    const supervisor = spawn("sleep", ["60"], { stdio: "ignore" });
    const app = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--eval",
        `import("./lib/process/supervisor-watch.ts").then((m) => {
           m.watchSupervisor();
           const worker = require("node:child_process").spawn("sleep", ["60"], { stdio: "ignore" });
           console.log(String(worker.pid));
           setInterval(() => {}, 1000);
         });`,
      ],
      {
        detached: true,
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...process.env, FLEET_SUPERVISOR_PID: String(supervisor.pid) },
      },
    );
    const workerPid = await new Promise<number>((resolve) =>
      app.stdout.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim()))),
    );
    try {
      await new Promise((r) => setTimeout(r, 1_500));
      expect(signalable(app.pid!) && signalable(workerPid)).toBe(true); // nothing happens while it lives
      supervisor.kill("SIGKILL");
      expect(await until(() => app.exitCode !== null || app.signalCode !== null, 8_000)).toBe(true);
      expect(await until(() => !signalable(workerPid), 2_000)).toBe(true);
    } finally {
      for (const pid of [app.pid!, workerPid]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
  });
});
