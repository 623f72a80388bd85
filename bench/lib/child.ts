// Helper processes of the benchmarks (broker, bare subscriber), run with tsx
// like the bridge, talking to the bench through JSON lines on stdout.
import { spawn, type ChildProcess } from "node:child_process";
import { sleep } from "./context";

export interface Helper {
  child: ChildProcess;
  pid: number;
  /** Resolves with the first JSON line (already printed or future) that `match` accepts. */
  line<T>(match: (value: Record<string, unknown>) => boolean, timeoutMs: number): Promise<T>;
  /** The last JSON line so far that `match` accepts (a progress report), if any. */
  latest<T>(match: (value: Record<string, unknown>) => boolean): T | undefined;
  output(): string;
  stop(): Promise<void>;
}

export function spawnHelper(
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Helper {
  const child = spawn(
    process.execPath,
    [...nodeArgs, "--conditions=react-server", "--import", "tsx", script, ...args],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  let buffer = "";
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const part of parts) {
      try {
        const value = JSON.parse(part) as unknown;
        if (typeof value === "object" && value !== null)
          lines.push(value as Record<string, unknown>);
      } catch {
        // A log line, not a message for us.
      }
    }
    for (const w of [...waiters]) w();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    pid: child.pid ?? -1,
    output: () => output,
    latest<T>(match: (value: Record<string, unknown>) => boolean) {
      return lines.findLast(match) as T | undefined;
    },
    line<T>(match: (value: Record<string, unknown>) => boolean, timeoutMs: number) {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found === undefined) return;
          cleanup();
          resolve(found as T);
        };
        const onExit = () => {
          cleanup();
          reject(
            new Error(
              `${script} exited (${child.exitCode ?? child.signalCode}) before the expected line:\n${output}`,
            ),
          );
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${script}: no expected line within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const cleanup = () => {
          waiters.delete(check);
          clearTimeout(timer);
          child.off("exit", onExit);
        };
        waiters.add(check);
        child.once("exit", onExit);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Waits (30 s at most) for a spawned bridge's /healthz on its metrics port; fails at once if it exits. */
export async function untilBridgeHealthy(port: number, bridge: Helper): Promise<void> {
  const ready = Date.now() + 30_000;
  for (;;) {
    if (bridge.child.exitCode !== null) throw new Error(`bridge exited:\n${bridge.output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (Date.now() > ready) throw new Error(`bridge not healthy within 30 s:\n${bridge.output()}`);
    await sleep(100);
  }
}
