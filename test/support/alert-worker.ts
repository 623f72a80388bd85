// A stand-in app instance for the outbox crash tests: evaluates the rules
// (committing alert changes and their outbox rows), says so on stdout, then
// either sends or waits forever, to be SIGKILLed at the chosen moment.
import { presenceConfig } from "../../lib/config";
import { db } from "../../lib/db/client";
import { alertsConfig } from "../../lib/alerts/config";
import { evaluateRules } from "../../lib/alerts/evaluate";
import { sendDueDeliveries } from "../../lib/alerts/sender";

const mode = process.argv[2];
const result = await evaluateRules(db().pool, new Date(), presenceConfig(), alertsConfig());
process.stdout.write(`evaluated ${result.fired}\n`);
if (mode === "send") {
  await sendDueDeliveries(db().pool, alertsConfig());
  process.stdout.write("sent\n");
}
// Stay alive until killed.
setInterval(() => {}, 1000);
