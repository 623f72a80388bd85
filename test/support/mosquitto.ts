// A private Mosquitto (Debian's package) with a TCP and a WebSocket listener
// on free loopback ports, never the system one on 1883: for tests and
// benchmarks against a third-party broker.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { waitFor } from "./broker";
import { freePort } from "../../lib/db/embedded";

export const MOSQUITTO = "/usr/sbin/mosquitto";

export interface Mosquitto {
  tcpUrl: string;
  wsUrl: string;
  /** What it printed so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export async function startMosquitto(): Promise<Mosquitto> {
  if (!existsSync(MOSQUITTO)) {
    throw new Error(
      `${MOSQUITTO} is missing: install the Debian package "mosquitto" (apt-get install -y mosquitto)`,
    );
  }
  // A free port can be taken by another process between freePort() and
  // Mosquitto's bind (CI once saw it not start within 10 s): try fresh ports.
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      return await startOnce();
    } catch (error) {
      lastError = error as Error;
    }
  }
  throw lastError!;
}

async function startOnce(): Promise<Mosquitto> {
  const [tcpPort, wsPort] = [await freePort(), await freePort()];
  const confDir = mkdtempSync(path.join(tmpdir(), "mosquitto-"));
  // Mosquitto 2.0.11 refuses to start with websockets listeners only, hence the plain one.
  writeFileSync(
    path.join(confDir, "mosquitto.conf"),
    [
      `listener ${tcpPort} 127.0.0.1`,
      `listener ${wsPort} 127.0.0.1`,
      "protocol websockets",
      "allow_anonymous true",
      // The default of 1000 silently drops QoS 1 messages queued for a slow or absent subscriber.
      "max_queued_messages 1000000",
      "persistence false",
      "",
    ].join("\n"),
  );
  const child = spawn(MOSQUITTO, ["-c", path.join(confDir, "mosquitto.conf")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const stream of [child.stdout, child.stderr])
    stream?.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(confDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null)
          throw new Error(`mosquitto exited with code ${child.exitCode}: ${output}`);
        return output.includes("running");
      },
      10_000,
      "mosquitto to start",
    );
  } catch (error) {
    await stop();
    throw new Error(
      `${(error as Error).message} (ports ${tcpPort}, ${wsPort}; it printed: ${output || "nothing"})`,
    );
  }
  return {
    tcpUrl: `mqtt://127.0.0.1:${tcpPort}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    log: () => output,
    stop,
  };
}
