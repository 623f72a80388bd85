// AWS IoT rule HTTPS action (POST /api/ingest/aws-rule): what the rule
// `SELECT *, topic() AS topic FROM '$aws/events/#'` sends, and the
// destination confirmation AWS sends first. Pure: no I/O here.
//
// Message shapes: https://docs.aws.amazon.com/iot/latest/developerguide/https-rule-action.html
// and https://docs.aws.amazon.com/iot/latest/developerguide/rule-destination-http-managing.html
import { z } from "zod";
import { describeIssues, ServiceError } from "../errors";

/** The header that marks AWS's destination confirmation request. */
export const MESSAGE_TYPE_HEADER = "x-amz-rules-engine-message-type";
export const DESTINATION_ARN_HEADER = "x-amz-rules-engine-destination-arn";

/**
 * One message of the rule: the lifecycle payload with the rule's `topic`
 * column beside its fields. As an `/api/ingest` envelope, the topic is
 * checked against the payload exactly as there. Anything else (no object,
 * a topic that is not a string) goes through unchanged, to be rejected by
 * the same validation with the same messages.
 */
export function awsRuleItem(item: unknown): unknown {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
  const { topic, ...payload } = item as Record<string, unknown>;
  if (topic === undefined) return payload;
  return { topic, payload };
}

/**
 * AWS regions as they appear in host names (`us-east-1`, `eu-central-2`,
 * `us-gov-west-1`, `ap-southeast-7`, …): lowercase letters, then a number.
 */
const REGION = /^[a-z]{2}(?:-[a-z]+){1,2}-\d{1,2}$/;

/** The token part of an enable URL: AWS's tokens are URL-safe base64 (`A-Z a-z 0-9 - _`), maybe padded. */
const CONFIRMATION_TOKEN = /^[A-Za-z0-9_-]{16,4096}={0,2}$/;

const ARN =
  /^arn:aws(?:-[a-z]+)*:iot:([a-z]{2}(?:-[a-z]+){1,2}-\d{1,2}):\d{12}:ruledestination\/http\/[0-9a-f-]{36}$/;

export interface ConfirmUrl {
  region: string;
  token: string;
  /** Rebuilt from the parts above: the only URL auto-confirm ever calls. */
  url: string;
}

/**
 * Parses an `enableUrl` strictly: `https://iot.<region>.amazonaws.com/confirmdestination/<token>`
 * and nothing else (no user info, port, query, fragment, other host, other
 * path, percent-escapes or dot segments). Returns null for anything else.
 * The URL auto-confirm calls is rebuilt from the checked parts, not the
 * sender's string, so no parser difference can send it elsewhere.
 */
export function parseConfirmUrl(text: string): ConfirmUrl | null {
  const match = /^https:\/\/iot\.([a-z0-9-]+)\.amazonaws\.com\/confirmdestination\/([^/?#]+)$/.exec(
    text,
  );
  if (match === null) return null;
  const region = match[1]!;
  const token = match[2]!;
  if (!REGION.test(region) || !CONFIRMATION_TOKEN.test(token)) return null;
  const url = `https://iot.${region}.amazonaws.com/confirmdestination/${token}`;
  // The WHATWG parser must agree on every part (it would not for, say, a
  // backslash or a tab, which the patterns above already refuse).
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.href !== url || parsed.hostname !== `iot.${region}.amazonaws.com`) return null;
  return { region, token, url };
}

const MAX_CONFIRMATION_FIELD = 4096;

export const DestinationConfirmation = z.looseObject({
  arn: z
    .string({ error: "arn must be a string" })
    .max(MAX_CONFIRMATION_FIELD, `arn must be at most ${MAX_CONFIRMATION_FIELD} characters`)
    .regex(ARN, "arn must be an AWS IoT HTTP rule destination ARN"),
  confirmationToken: z
    .string({ error: "confirmationToken must be a string" })
    .regex(CONFIRMATION_TOKEN, "confirmationToken must be URL-safe base64 text"),
  enableUrl: z
    .string({ error: "enableUrl must be a string" })
    .max(MAX_CONFIRMATION_FIELD, `enableUrl must be at most ${MAX_CONFIRMATION_FIELD} characters`),
  messageType: z.literal("DestinationConfirmation").optional(),
});

export interface Confirmation {
  arn: string;
  confirmationToken: string;
  enableUrl: string;
  region: string;
}

/**
 * Validates a destination confirmation body: an ARN of an HTTP rule
 * destination, a token, and an enable URL of the same region carrying the
 * same token. Anything else is a 400 (it came without an ingest token, so
 * nothing of it is stored).
 */
export function parseConfirmation(bodyText: string, arnHeader: string | null): Confirmation {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch (error) {
    throw new ServiceError("invalid_json", `Body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = DestinationConfirmation.safeParse(body);
  if (!parsed.success) throw new ServiceError("invalid_body", describeIssues(parsed.error));
  const { arn, confirmationToken, enableUrl } = parsed.data;
  const url = parseConfirmUrl(enableUrl);
  if (url === null) {
    throw new ServiceError(
      "invalid_body",
      "enableUrl must be https://iot.<region>.amazonaws.com/confirmdestination/<token>",
    );
  }
  if (url.token !== confirmationToken) {
    throw new ServiceError("invalid_body", "enableUrl must carry the confirmationToken");
  }
  const arnRegion = ARN.exec(arn)![1]!;
  if (arnRegion !== url.region) {
    throw new ServiceError(
      "invalid_body",
      `enableUrl is in region ${url.region} but arn is in ${arnRegion}`,
    );
  }
  if (arnHeader !== null && arnHeader.replace(/^"|"$/g, "") !== arn) {
    throw new ServiceError("invalid_body", `arn must equal the ${DESTINATION_ARN_HEADER} header`);
  }
  return { arn, confirmationToken, enableUrl: url.url, region: url.region };
}

/** The AWS CLI command that confirms a destination (shown to admins to copy). */
export function confirmCommand(confirmation: {
  confirmationToken: string;
  region: string;
}): string {
  // Both parts passed the patterns above: nothing in them needs shell quoting.
  return `aws iot confirm-topic-rule-destination --region ${confirmation.region} --confirmation-token ${confirmation.confirmationToken}`;
}
