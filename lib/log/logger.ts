// The project's logger (the bridge, the broker, the simulator and the app server).
// Structured logs: one JSON object per line on stderr, so a log shipper can
// parse them and stdout stays free for a program's real output.

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function isLogLevel(value: string): value is LogLevel {
  return value in RANK;
}

/** Errors do not survive JSON.stringify; keep their message and code. */
function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return code === undefined ? { message: value.message } : { message: value.message, code };
  }
  return value;
}

export function createLogger(
  options: { level?: LogLevel; fields?: LogFields; write?: (line: string) => void } = {},
): Logger {
  const threshold = RANK[options.level ?? "info"];
  const base = options.fields ?? {};
  const write = options.write ?? ((line: string) => process.stderr.write(line + "\n"));
  const emit = (level: Exclude<LogLevel, "silent">, msg: string, fields?: LogFields) => {
    if (RANK[level] < threshold) return;
    const record: LogFields = { time: new Date().toISOString(), level, msg, ...base };
    for (const [key, value] of Object.entries(fields ?? {})) record[key] = serialise(value);
    write(JSON.stringify(record));
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

export const silentLogger: Logger = createLogger({ level: "silent" });

/** The app server's own log (schedulers, the stream hub, unexpected errors): JSON lines on stderr. */
export const appLog: Logger = createLogger({
  level: isLogLevel(process.env.LOG_LEVEL ?? "") ? (process.env.LOG_LEVEL as LogLevel) : "info",
  fields: { component: "app" },
});
