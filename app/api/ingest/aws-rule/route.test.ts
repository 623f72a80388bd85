import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { autoConfirm, MAX_DESTINATIONS, receiveConfirmation } from "@/lib/sources/aws-destinations";
import { parseConfirmUrl } from "@/lib/sources/aws-rule";
import { countRows, resetDatabase } from "@/test/support/db";
import { viewerRequest, BASE } from "@/test/support/routes";
import { expectOrderFree, settledStart, vendorPost } from "@/test/support/source-routes";
import {
  AWS_CONFIRMATION_TOKEN,
  AWS_DESTINATION_ARN,
  awsDestinationConfirmation,
  awsRuleConnected,
  awsRuleDisconnected,
} from "@/test/support/vendor-payloads";
import { GET as listDestinationsRoute } from "../../admin/aws-rule-destinations/route";
import { POST } from "./route";

const PATH = "/api/ingest/aws-rule";
const T0 = settledStart();

const post = vendorPost(POST, PATH);

function adminRequest(url: string): Request {
  const request = viewerRequest(url);
  const principal = JSON.parse(decodeURIComponent(request.headers.get("x-fleet-principal")!));
  const headers = new Headers(request.headers);
  headers.set(
    "x-fleet-principal",
    encodeURIComponent(JSON.stringify({ ...principal, role: "admin" })),
  );
  return new Request(url, { headers });
}

beforeEach(async () => {
  await resetDatabase();
  await db().pool.query("TRUNCATE aws_rule_destination");
});
afterEach(() => {
  delete process.env.AWS_RULE_AUTO_CONFIRM;
});

describe("POST /api/ingest/aws-rule: lifecycle events as the rule sends them", () => {
  it("gives the same fleet for any order and duplicates, one event per request", async () => {
    const messages = [
      awsRuleConnected("truck-1", T0, 1),
      awsRuleDisconnected("truck-1", T0 + 60_000, 1),
      awsRuleConnected("truck-1", T0 + 65_000, 2),
      awsRuleConnected("fleet/eu/van 2", T0 + 1_000, 7),
      awsRuleDisconnected("fleet/eu/van 2", T0 + 90_000, 7),
    ];
    const fleet = await expectOrderFree(messages, (m) => post(m));
    expect(fleet.map((c) => [c.clientId, c.status, c.versionNumber, c.source])).toEqual([
      ["fleet/eu/van 2", "offline", 7, "aws"],
      ["truck-1", "online", 2, "aws"],
    ]);
  }, 60_000);

  it("takes the action's batched form (an array) too", async () => {
    const response = await post([awsRuleConnected("a", T0, 1), awsRuleConnected("b", T0, 1)]);
    expect(await response.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
  });

  it("validates like /api/ingest: a bad event is rejected, quarantined and named", async () => {
    const { clientId: _, ...noClientId } = awsRuleConnected("x", T0, 1);
    const response = await post(noClientId);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: [{ index: 0, error: "clientId must be a string" }],
    });
    expect(await countRows("quarantined_event")).toBe(1);
    const mismatch = await post({
      ...awsRuleConnected("x", T0, 1),
      topic: "$aws/events/presence/connected/y",
    });
    expect(((await mismatch.json()) as { rejected: { error: string }[] }).rejected[0]!.error).toBe(
      "topic says clientId 'y' but payload says 'x'",
    );
  });

  it("refuses events without the ingest token", async () => {
    for (const token of [null, "wrong"]) {
      const response = await post(awsRuleConnected("a", T0, 1), { token });
      expect(response.status).toBe(401);
    }
    expect(await countRows("lifecycle_event")).toBe(0);
  });
});

describe("POST /api/ingest/aws-rule: AWS's destination confirmation", () => {
  const confirm = (body: unknown = awsDestinationConfirmation.body) =>
    post(body, { token: null, headers: awsDestinationConfirmation.headers });

  it("is answered 200 without a token, recorded, and listed for admins with the CLI command", async () => {
    const response = await confirm();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      received: true,
      arn: AWS_DESTINATION_ARN,
      autoConfirm: null,
    });
    const list = await listDestinationsRoute(
      adminRequest(`${BASE}/api/admin/aws-rule-destinations`),
    );
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({
      autoConfirm: false,
      items: [
        {
          arn: AWS_DESTINATION_ARN,
          enableUrl: awsDestinationConfirmation.body.enableUrl,
          confirmationToken: AWS_CONFIRMATION_TOKEN,
          region: "us-east-1",
          confirmCommand: `aws iot confirm-topic-rule-destination --region us-east-1 --confirmation-token ${AWS_CONFIRMATION_TOKEN}`,
          receivedAt: expect.any(String),
          autoConfirmStatus: null,
          autoConfirmedAt: null,
        },
      ],
    });
    const viewer = await listDestinationsRoute(
      viewerRequest(`${BASE}/api/admin/aws-rule-destinations`),
    );
    expect(viewer.status).toBe(403);
  });

  it.each([
    [
      "another host",
      { enableUrl: `https://evil.example/confirmdestination/${AWS_CONFIRMATION_TOKEN}` },
    ],
    [
      "another region than the ARN",
      {
        enableUrl: `https://iot.eu-west-1.amazonaws.com/confirmdestination/${AWS_CONFIRMATION_TOKEN}`,
      },
    ],
    [
      "another token",
      { enableUrl: "https://iot.us-east-1.amazonaws.com/confirmdestination/AAAAAAAAAAAAAAAAAAAA" },
    ],
    ["not an HTTP destination ARN", { arn: "arn:aws:iam::123456789012:role/x" }],
    [
      "an ARN other than the header's",
      { arn: AWS_DESTINATION_ARN.replace(/[0-9a-f]{12}$/, "000000000000") },
    ],
  ])("is refused with 400 and not recorded: %s", async (_name, change) => {
    const response = await confirm({ ...awsDestinationConfirmation.body, ...change });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "invalid_body",
    );
    expect(await countRows("aws_rule_destination")).toBe(0);
  });

  it("keeps at most MAX_DESTINATIONS rows, the newest", async () => {
    for (let i = 0; i < MAX_DESTINATIONS + 3; i += 1) {
      const arn = AWS_DESTINATION_ARN.replace(/[0-9a-f]{12}$/, i.toString(16).padStart(12, "0"));
      const response = await post(
        { ...awsDestinationConfirmation.body, arn },
        { token: null, headers: { "x-amz-rules-engine-message-type": "DestinationConfirmation" } },
      );
      expect(response.status).toBe(200);
    }
    expect(await countRows("aws_rule_destination")).toBe(MAX_DESTINATIONS);
  });

  it("with AWS_RULE_AUTO_CONFIRM=1 calls the rebuilt enable URL once and records the answer", async () => {
    process.env.AWS_RULE_AUTO_CONFIRM = "1";
    // AWS is out of reach from a test: this stands in for fetch and records the call.
    const calls: string[] = [];
    const fetchFn = (async (url: string | URL | Request) => {
      calls.push(url instanceof Request ? url.url : url.toString());
      return new Response("", { status: 200 });
    }) as typeof fetch;
    const answer = await receiveConfirmation(
      JSON.stringify(awsDestinationConfirmation.body),
      null,
      new Date(),
      fetchFn,
    );
    expect(answer.autoConfirm).toBe("confirmed");
    expect(calls).toEqual([awsDestinationConfirmation.body.enableUrl]);
  });
});

describe("auto-confirm calls nothing but https://iot.<region>.amazonaws.com/confirmdestination/<token>", () => {
  const token = AWS_CONFIRMATION_TOKEN;
  it.each([
    `http://iot.us-east-1.amazonaws.com/confirmdestination/${token}`,
    `https://iot.us-east-1.amazonaws.com.evil.example/confirmdestination/${token}`,
    `https://iot.us-east-1.amazonaws.com:8443/confirmdestination/${token}`,
    `https://user@iot.us-east-1.amazonaws.com/confirmdestination/${token}`,
    `https://evil.example#@iot.us-east-1.amazonaws.com/confirmdestination/${token}`,
    `https://iot.us-east-1.amazonaws.com/confirmdestination/${token}?next=https://evil.example`,
    `https://iot.us-east-1.amazonaws.com/confirmdestination/${token}#x`,
    `https://iot.us-east-1.amazonaws.com/confirmdestination/../admin/${token}`,
    `https://iot.us-east-1.amazonaws.com/confirmdestination/%2e%2e%2f${token}`,
    `https://iot.us-east-1.amazonaws.com\\@evil.example/confirmdestination/${token}`,
    `https://iot.us-east-1.amazonaws.com/confirmdestination/`,
    `https://IOT.US-EAST-1.AMAZONAWS.COM/confirmdestination/${token}`,
    `https://iot.localhost.amazonaws.com/confirmdestination/${token}`,
    `https://s3.us-east-1.amazonaws.com/confirmdestination/${token}`,
    `https://iot.us-east-1.amazonaws.com/other/${token}`,
    ` https://iot.us-east-1.amazonaws.com/confirmdestination/${token}`,
    `https://iot.us-east-1.amazonaws.com/confirmdestination/${token}\n`,
    `https://127.0.0.1/confirmdestination/${token}`,
  ])("refuses %j without calling it", async (url) => {
    expect(parseConfirmUrl(url)).toBeNull();
    await db().pool.query(
      "INSERT INTO aws_rule_destination (arn, confirmation_token, enable_url, received_at) VALUES ($1, $2, $3, now())",
      [AWS_DESTINATION_ARN, token, url],
    );
    let called = false;
    const fetchFn = (async () => {
      called = true;
      return new Response("");
    }) as typeof fetch;
    expect(await autoConfirm(url, AWS_DESTINATION_ARN, fetchFn)).toMatch(/^failed: /);
    expect(called).toBe(false);
  });

  it.each(["us-east-1", "eu-central-2", "us-gov-west-1", "ap-southeast-7"])(
    "accepts region %s",
    (region) => {
      expect(
        parseConfirmUrl(`https://iot.${region}.amazonaws.com/confirmdestination/${token}`),
      ).toEqual({
        region,
        token,
        url: `https://iot.${region}.amazonaws.com/confirmdestination/${token}`,
      });
    },
  );
});
