// npm run user:add -- --username NAME [--role admin|viewer] [--password P] [--update]
// Without --password the password is read from the USER_PASSWORD variable or
// generated and printed. --update resets an existing account's password and role.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createOperator, upsertOperator } from "../lib/auth/operators";
import { CreateOperatorBody } from "../lib/auth/schemas";
import { db } from "../lib/db/client";

const { values } = parseArgs({
  options: {
    username: { type: "string" },
    role: { type: "string", default: "viewer" },
    password: { type: "string" },
    update: { type: "boolean", default: false },
  },
});
if (!process.env.DATABASE_URL) {
  console.error("DATABASE_URL is not set: user:add needs the database to write to.");
  process.exit(2);
}
const generated = values.password ?? process.env.USER_PASSWORD ?? undefined;
const password = generated ?? randomBytes(12).toString("base64url");
const parsed = CreateOperatorBody.safeParse({
  username: values.username,
  password,
  role: values.role,
});
if (!parsed.success) {
  console.error(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
  process.exit(2);
}
const operator = values.update
  ? await upsertOperator(parsed.data)
  : await createOperator(parsed.data);
console.log(
  `${values.update ? "saved" : "created"} ${operator.role} '${operator.username}'${generated ? "" : ` with password: ${password}`}`,
);
await db().close();
