// A simulated fleet of real MQTT devices for demos, tests and benchmarks.
// `startFleet` runs N devices against any broker (the embedded one, Mosquitto,
// AWS IoT with a suitable policy); the schedule is random but seeded.
import { silentLogger, type Logger } from "../log/logger";
import {
  DEFAULT_ACTION_WEIGHTS,
  SimulatedDevice,
  type DeviceAction,
  type DeviceSnapshot,
} from "./device";
import { createRandom } from "./random";

export type { DeviceAction, DeviceSnapshot } from "./device";

export interface FleetOptions {
  mqttUrl: string;
  devices: number;
  seed?: number;
  /** Mean time between a device's actions while online (default 6 s). */
  meanActionMs?: number;
  /** Mean time a device stays offline before reconnecting (default 4 s). */
  meanOfflineMs?: number;
  /** Keep-alive of each connection; a "hang" shows as MQTT_KEEP_ALIVE_TIMEOUT after 1.5 times this. */
  keepaliveSeconds?: number;
  /** Share of devices that use persistent sessions (default 0.4). */
  persistentShare?: number;
  clientIdPrefix?: string;
  weights?: Partial<Record<DeviceAction, number>>;
  logger?: Logger;
}

export interface Fleet {
  /** Disconnects every device cleanly. */
  stop(): Promise<void>;
  /** Stops the schedule and waits until no device is between states. */
  quiesce(): Promise<void>;
  /** What the dashboard should show for each device, meaningful after quiesce(). */
  snapshot(): DeviceSnapshot[];
}

/** Client IDs of the fleet; every fifth one contains `/`, which lifecycle topics must survive. */
export function fleetClientId(prefix: string, index: number): string {
  const n = String(index).padStart(4, "0");
  return index % 5 === 4 ? `${prefix}-site-${index % 3}/sensor-${n}` : `${prefix}-device-${n}`;
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const seed = opts.seed ?? 1;
  const meanActionMs = opts.meanActionMs ?? 6000;
  const log = opts.logger ?? silentLogger;
  const devices: SimulatedDevice[] = [];
  for (let i = 0; i < opts.devices; i += 1) {
    const random = createRandom(seed * 100_003 + i);
    const device = new SimulatedDevice(fleetClientId(opts.clientIdPrefix ?? "sim", i), {
      url: opts.mqttUrl,
      random,
      meanActionMs,
      meanOfflineMs: opts.meanOfflineMs ?? 4000,
      keepaliveSeconds: opts.keepaliveSeconds ?? 5,
      persistent: random.chance(opts.persistentShare ?? 0.4),
      weights: { ...DEFAULT_ACTION_WEIGHTS, ...opts.weights },
      log,
    });
    devices.push(device);
    // Spread the first connections so the broker sees a ramp, not a thundering herd.
    device.start(random.int(0, Math.min(2000, meanActionMs)));
  }
  log.info("fleet started", { devices: opts.devices, seed, url: opts.mqttUrl });
  let stopped: Promise<void> | null = null;
  return {
    quiesce: async () => {
      await Promise.all(devices.map((d) => d.quiesce()));
    },
    snapshot: () => devices.map((d) => d.snapshot()),
    stop: () => {
      stopped ??= Promise.all(devices.map((d) => d.stop())).then(() => log.info("fleet stopped"));
      return stopped;
    },
  };
}
