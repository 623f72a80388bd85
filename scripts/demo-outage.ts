// npm run demo:outage: asks a running `npm start` to stop its embedded broker
// for DEMO_OUTAGE_SECONDS (20 by default), the outage that shows an incident.
import { readFileSync } from "node:fs";

let pid: number;
try {
  pid = Number(readFileSync(".data/start.pid", "utf8"));
} catch {
  console.error("no running `npm start` with an embedded broker found (.data/start.pid)");
  process.exit(1);
}
try {
  process.kill(pid, "SIGUSR2");
  console.log(`asked npm start (pid ${pid}) to stop its broker for a while; see its log`);
} catch (error) {
  console.error(`npm start (pid ${pid}) is not running: ${(error as Error).message}`);
  process.exit(1);
}
