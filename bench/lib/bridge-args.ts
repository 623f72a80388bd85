// bench:bridge's command line and the bridge environment its flags set.
import { parseArgs } from "node:util";

/** bench:bridge's flags (see the head of bench/bridge.ts). */
export function bridgeBenchArgs() {
  return parseArgs({
    options: {
      events: { type: "string" },
      runs: { type: "string" },
      smoke: { type: "boolean", default: false },
      "in-flight": { type: "string" },
      batch: { type: "string" },
      wait: { type: "string" },
      fsync: { type: "string" },
      env: { type: "string", multiple: true },
      compare: { type: "string" },
      profile: { type: "string" },
      "no-null": { type: "boolean", default: false },
    },
  }).values;
}

export type BridgeBenchArgs = ReturnType<typeof bridgeBenchArgs>;

/** `--env NAME=VALUE` and the shorthand flags, as bridge environment variables. */
export function bridgeSettings(args: BridgeBenchArgs): Record<string, string> {
  const env: Record<string, string> = {};
  if (args["in-flight"]) env.BRIDGE_MAX_IN_FLIGHT = args["in-flight"];
  if (args.batch) env.BRIDGE_BATCH_MAX_EVENTS = args.batch;
  if (args.wait) env.BRIDGE_BATCH_MAX_WAIT_MS = args.wait;
  if (args.fsync) env.BRIDGE_SPOOL_FSYNC = args.fsync;
  for (const pair of args.env ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`--env takes NAME=VALUE, not '${pair}'`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}
