// A stand-in app instance for the outbox tests: evaluates the rules
// (committing alert changes and their outbox rows), says so on stdout, then
// either sends or waits forever, to be SIGKILLed at the chosen moment; or
// (`loop`) evaluates and sends in turns, as the scheduler does, until there
// is nothing left to do, and says `idle`.
import { presenceConfig } from "../../lib/config";
import { db } from "../../lib/db/client";
import { alertsConfig } from "../../lib/alerts/config";
import { evaluateRules } from "../../lib/alerts/evaluate";
import { sendDueDeliveries } from "../../lib/alerts/sender";

const mode = process.argv[2];
if (mode === "loop") {
  let quiet = 0;
  while (quiet < 3) {
    const e = await evaluateRules(db().pool, new Date(), presenceConfig(), alertsConfig());
    const s = await sendDueDeliveries(db().pool, alertsConfig(), 10);
    quiet = e.fired + e.resolved + s.sent + s.failed === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 20));
  }
  process.stdout.write("idle\n");
  setInterval(() => {}, 1000);
}
const result =
  mode === "loop"
    ? null
    : await evaluateRules(db().pool, new Date(), presenceConfig(), alertsConfig());
if (result !== null) process.stdout.write(`evaluated ${result.fired}\n`);
if (mode === "send") {
  await sendDueDeliveries(db().pool, alertsConfig());
  process.stdout.write("sent\n");
}
// Stay alive until killed.
setInterval(() => {}, 1000);
