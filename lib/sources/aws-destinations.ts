// AWS IoT rule destination confirmations: recorded when AWS sends one, listed
// for admins (GET /api/admin/aws-rule-destinations), and, with
// AWS_RULE_AUTO_CONFIRM=1, confirmed by calling the checked enable URL.
import "server-only";
import { db } from "../db/client";
import { sql } from "../db/sql";
import { confirmCommand, parseConfirmation, parseConfirmUrl, type Confirmation } from "./aws-rule";

/**
 * Rows kept: confirmations arrive without a token, so a stranger could send
 * many with made-up ARNs; past this many the oldest go. A real account has
 * a handful of destinations.
 */
export const MAX_DESTINATIONS = 100;

/** How long auto-confirm waits for AWS before recording a failure. */
const AUTO_CONFIRM_TIMEOUT_MS = 10_000;

export interface AwsRuleDestination {
  arn: string;
  enableUrl: string;
  confirmationToken: string;
  region: string;
  /** The AWS CLI command that confirms it. */
  confirmCommand: string;
  receivedAt: string;
  /** `confirmed`, `failed: <reason>`, or null when auto-confirm is off. */
  autoConfirmStatus: string | null;
  autoConfirmedAt: string | null;
}

export function autoConfirmEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AWS_RULE_AUTO_CONFIRM === "1";
}

export async function recordDestination(c: Confirmation, receivedAt: Date): Promise<void> {
  const statement = sql`WITH up AS (
      INSERT INTO aws_rule_destination (arn, confirmation_token, enable_url, received_at)
      VALUES (${c.arn}, ${c.confirmationToken}, ${c.enableUrl}, ${receivedAt})
      ON CONFLICT (arn) DO UPDATE SET confirmation_token = EXCLUDED.confirmation_token,
        enable_url = EXCLUDED.enable_url, received_at = EXCLUDED.received_at,
        auto_confirm_status = NULL, auto_confirmed_at = NULL
      RETURNING arn)
    DELETE FROM aws_rule_destination WHERE arn IN (
      SELECT arn FROM aws_rule_destination WHERE arn NOT IN (SELECT arn FROM up)
       ORDER BY received_at DESC, arn OFFSET ${MAX_DESTINATIONS - 1})`;
  await db().pool.query(statement.text, statement.values);
}

interface DestinationRow {
  arn: string;
  confirmation_token: string;
  enable_url: string;
  received_at: Date;
  auto_confirm_status: string | null;
  auto_confirmed_at: Date | null;
}

export async function listDestinations(): Promise<AwsRuleDestination[]> {
  const result = await db().pool.query<DestinationRow>(
    "SELECT * FROM aws_rule_destination ORDER BY received_at DESC, arn",
  );
  return result.rows.map((r) => {
    const region = parseConfirmUrl(r.enable_url)?.region ?? "";
    return {
      arn: r.arn,
      enableUrl: r.enable_url,
      confirmationToken: r.confirmation_token,
      region,
      confirmCommand: confirmCommand({ confirmationToken: r.confirmation_token, region }),
      receivedAt: r.received_at.toISOString(),
      autoConfirmStatus: r.auto_confirm_status,
      autoConfirmedAt: r.auto_confirmed_at?.toISOString() ?? null,
    };
  });
}

/**
 * Calls the enable URL once (GET, no redirects followed) and records the
 * outcome. Only a URL that passes parseConfirmUrl is ever called, and the
 * one called is the one it rebuilt. `fetchFn` is the global fetch; tests
 * pass one that records the call, since AWS itself is out of reach.
 */
export async function autoConfirm(
  enableUrl: string,
  arn: string,
  fetchFn: typeof fetch = fetch,
): Promise<string> {
  const checked = parseConfirmUrl(enableUrl);
  if (checked === null) return record(arn, "failed: enableUrl is not an AWS IoT confirm URL");
  let status: string;
  try {
    const response = await fetchFn(checked.url, {
      method: "GET",
      redirect: "manual",
      signal: AbortSignal.timeout(AUTO_CONFIRM_TIMEOUT_MS),
    });
    await response.body?.cancel().catch(() => {});
    status = response.ok ? "confirmed" : `failed: AWS answered HTTP ${response.status}`;
  } catch (error) {
    status = `failed: ${(error as Error).message}`.slice(0, 500);
  }
  return record(arn, status);
}

async function record(arn: string, status: string): Promise<string> {
  const statement = sql`UPDATE aws_rule_destination
      SET auto_confirm_status = ${status},
          auto_confirmed_at = CASE WHEN ${status} = 'confirmed' THEN now() END
    WHERE arn = ${arn}`;
  await db().pool.query(statement.text, statement.values);
  return status;
}

/** Confirmation bodies are a few hundred bytes; nothing larger is read without a token. */
export const MAX_CONFIRMATION_BYTES = 16 * 1024;

/**
 * AWS's destination confirmation: validated, recorded for admins, and
 * confirmed at once when AWS_RULE_AUTO_CONFIRM=1.
 */
export async function receiveConfirmation(
  bodyText: string,
  arnHeader: string | null,
  now: Date = new Date(),
  fetchFn: typeof fetch = fetch,
): Promise<{ received: true; arn: string; autoConfirm: string | null }> {
  const confirmation = parseConfirmation(bodyText, arnHeader);
  await recordDestination(confirmation, now);
  const outcome = autoConfirmEnabled()
    ? await autoConfirm(confirmation.enableUrl, confirmation.arn, fetchFn)
    : null;
  return { received: true, arn: confirmation.arn, autoConfirm: outcome };
}
