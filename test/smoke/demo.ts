// The README's first run, as CI proves it on a clean clone: `npm start` (or
// `npm run dev` with the argument `dev`) with nothing configured, until the
// API lists the simulated fleet with clients online; two live streams open as
// two dashboard tabs would hold them; then one SIGINT to the command's process
// group, as a terminal's Ctrl-C sends it, and every process the command
// started must be gone within STOP_LIMIT_MS. Fails loudly otherwise.
//
//   node --import tsx test/smoke/demo.ts [start|dev]
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const mode = process.argv[2] === "dev" ? "dev" : "start";
const READY_LIMIT_MS = 6 * 60_000;
const ONLINE_LIMIT_MS = 2 * 60_000;
const STOP_LIMIT_MS = Number(process.env.DEMO_STOP_LIMIT_MS ?? 10_000);
const started = Date.now();

function say(message: string): void {
  console.log(`[demo-smoke ${mode}] ${message}`);
}

function fail(message: string): never {
  console.error(`[demo-smoke ${mode}] FAILED: ${message}`);
  cleanUp();
  process.exit(1);
}

/** The product's own configuration is cleared: the demo must work with nothing set. */
const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
for (const name of ["DATABASE_URL", "MQTT_URL", "INGEST_TOKEN", "INGEST_URL", "PORT", "HOST"]) {
  delete env[name];
}
const npm = spawn("npm", mode === "dev" ? ["run", "dev"] : ["start"], {
  env,
  detached: true, // its own process group, like a terminal's foreground job
  stdio: ["ignore", "pipe", "pipe"],
});
let output = "";
for (const stream of [npm.stdout, npm.stderr]) {
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    output += chunk;
    process.stdout.write(chunk.replace(/^(?=.)/gm, "  | "));
  });
}

/** Every process the command started, by parent links in /proc, remembered once seen. */
const seen = new Map<number, string>();
function collectTree(): void {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const queue = npm.pid === undefined ? [] : [npm.pid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (!seen.has(pid)) seen.set(pid, commandLine(pid));
    queue.push(...(parents.get(pid) ?? []));
  }
}
const treeTimer = setInterval(collectTree, 500);

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim().slice(0, 160);
  } catch {
    return "?";
  }
}

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

function cleanUp(): void {
  clearInterval(treeTimer);
  for (const pid of seen.keys()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

async function until<T>(what: string, limitMs: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (npm.exitCode !== null)
      fail(`npm ${mode} exited (${npm.exitCode}) while waiting for ${what}`);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  return fail(`${what}: not within ${limitMs / 1000} s`);
}

const ready = await until("the ready line with the login", READY_LIMIT_MS, () => {
  const match = /ready: open (\S+) and log in as '([^']+)' with password '([^']+)'/.exec(output);
  return Promise.resolve(
    match ? { url: match[1]!, user: match[2]!, password: match[3]! } : undefined,
  );
});
say(`ready after ${((Date.now() - started) / 1000).toFixed(0)} s at ${ready.url}`);

const login = await fetch(`${ready.url}/api/auth/login`, {
  method: "POST",
  headers: { "Content-Type": "application/json", Origin: ready.url },
  body: JSON.stringify({ username: ready.user, password: ready.password }),
});
if (login.status !== 200) fail(`login answered ${login.status}: ${await login.text()}`);
const cookie = login.headers
  .getSetCookie()
  .map((c) => c.split(";")[0])
  .join("; ");

const online = await until(
  "simulated clients online in GET /api/clients",
  ONLINE_LIMIT_MS,
  async () => {
    const response = await fetch(`${ready.url}/api/clients?status=online&limit=100`, {
      headers: { Cookie: cookie },
    });
    const body = (await response.json()) as { items?: { clientId: string }[] };
    return body.items !== undefined && body.items.length > 0 ? body.items : undefined;
  },
);
say(`${online.length} clients online, e.g. ${online[0]!.clientId}`);

// Two dashboard tabs: open live streams that the shutdown has to end.
const tabs = await Promise.all(
  [1, 2].map(async () => {
    const response = await fetch(`${ready.url}/api/stream`, { headers: { Cookie: cookie } });
    if (response.status !== 200 || response.body === null) fail(`stream: ${response.status}`);
    const reader = response.body.getReader();
    await reader.read(); // the stream is open
    // Wrapped: an async function returning a promise would wait for it, i.e. for the stream's end.
    return {
      ended: (async () => {
        try {
          while (!(await reader.read()).done);
        } catch {
          // ended by the server going away
        }
      })(),
    };
  }),
);

collectTree();
const pids = [...seen.keys()];
say(`${pids.length} processes; sending one SIGINT to the process group`);
const signalled = Date.now();
process.kill(-npm.pid!, "SIGINT");
const deadline = signalled + STOP_LIMIT_MS;
while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
const survivors = pids.filter(alive);
if (survivors.length > 0) {
  fail(
    `${survivors.length} processes still running ${STOP_LIMIT_MS / 1000} s after SIGINT:\n` +
      survivors.map((pid) => `  ${pid} ${seen.get(pid)}`).join("\n"),
  );
}
await Promise.race([
  Promise.all(tabs.map((t) => t.ended)),
  new Promise((r) => setTimeout(r, 1_000)),
]);
clearInterval(treeTimer);
say(
  `every process gone ${((Date.now() - signalled) / 1000).toFixed(1)} s after one SIGINT: passed`,
);
