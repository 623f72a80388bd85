// The embedded broker as a process of its own (`npm run broker`, the
// benchmarks' broker helper): configured by the environment, stopped by
// SIGINT/SIGTERM after a graceful close.
import { createLogger, isLogLevel, silentLogger } from "../log/logger";
import { startLifecycleBroker, type LifecycleBroker, type LifecycleBrokerOptions } from "./index";

/** Where `npm run broker` and `npm start` keep the broker's state unless told otherwise. */
export const DEFAULT_BROKER_DATA_DIR = ".data/broker";

/**
 * `BROKER_DATA_DIR`: the directory, or `:memory:` (or empty) for no
 * persistence; unset gives `fallback` (null: in memory).
 */
export function brokerDataDirFromEnv(
  env: NodeJS.ProcessEnv,
  fallback: string | null = DEFAULT_BROKER_DATA_DIR,
): string | undefined {
  const value = env.BROKER_DATA_DIR;
  // (null, not undefined, means "in memory": an explicit undefined argument
  // would silently become the default directory.)
  if (value === undefined) return fallback ?? undefined;
  return value === "" || value === ":memory:" ? undefined : value;
}

export async function runBrokerProcess(opts: {
  env?: NodeJS.ProcessEnv;
  /** The data directory when BROKER_DATA_DIR is unset (null: in memory). */
  defaultDataDir: string | null;
  /** JSON log lines on stderr (LOG_LEVEL). */
  log?: boolean;
  /** What to print on stdout once listening. */
  banner: (broker: LifecycleBroker, dataDir: string | undefined) => string;
  options?: LifecycleBrokerOptions;
}): Promise<LifecycleBroker> {
  const env = opts.env ?? process.env;
  const level = env.LOG_LEVEL ?? "info";
  const logger =
    opts.log === false
      ? silentLogger
      : createLogger({
          level: isLogLevel(level) ? level : "info",
          fields: { component: "broker" },
        });
  const port = (name: string): number | undefined => {
    const value = env[name];
    return value === undefined || value === "" ? undefined : Number(value);
  };
  const dataDir = brokerDataDirFromEnv(env, opts.defaultDataDir);
  const broker = await startLifecycleBroker({
    host: env.BROKER_HOST,
    tcpPort: port("BROKER_TCP_PORT"),
    wsPort: port("BROKER_WS_PORT"),
    dataDir,
    logger,
    ...opts.options,
  });
  process.stdout.write(opts.banner(broker, dataDir));
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void broker.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error("broker close failed", { error });
          process.exit(1);
        },
      );
    });
  }
  return broker;
}
