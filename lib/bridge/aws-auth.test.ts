import { createHash, createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import {
  customAuthorizerCredentials,
  presignIotUrl,
  presignUrl,
  regionFromEndpoint,
} from "./aws-auth";
import { startBridge } from "./index";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startFakeIngest } from "../../test/support/fake-ingest";
import { waitFor } from "../../test/support/broker";

// AWS's published example of a presigned URL ("Authenticating Requests: Using
// Query Parameters", Amazon S3 API reference): fixed keys, date and answer.
const S3_EXAMPLE = {
  url: "https://examplebucket.s3.amazonaws.com/test.txt",
  credentials: {
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  },
  signingDate: new Date("2013-05-24T00:00:00Z"),
  expected:
    "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
};

/** SigV4 query signing written out step by step from AWS's description, for a known answer. */
function referenceIotSignature(
  host: string,
  query: string,
  secret: string,
  date: string,
  region: string,
): string {
  const hash = (s: string) => createHash("sha256").update(s).digest("hex");
  const hmac = (key: Buffer | string, s: string) => createHmac("sha256", key).update(s).digest();
  const canonicalRequest = ["GET", "/mqtt", query, `host:${host}\n`, "host", hash("")].join("\n");
  const scope = `${date.slice(0, 8)}/${region}/iotdevicegateway/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", date, scope, hash(canonicalRequest)].join("\n");
  const key = hmac(
    hmac(hmac(hmac(`AWS4${secret}`, date.slice(0, 8)), region), "iotdevicegateway"),
    "aws4_request",
  );
  return createHmac("sha256", key).update(stringToSign).digest("hex");
}

const envKeys = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;
const savedEnv = envKeys.map((k) => process.env[k]);
afterEach(() =>
  envKeys.forEach((k, i) =>
    savedEnv[i] === undefined ? delete process.env[k] : (process.env[k] = savedEnv[i]),
  ),
);

describe("SigV4 for AWS IoT over WebSocket", () => {
  it("reproduces AWS's published presigned-URL example with the same signer call", async () => {
    const url = await presignUrl(S3_EXAMPLE.url, {
      service: "s3",
      region: "us-east-1",
      credentials: S3_EXAMPLE.credentials,
      signingDate: S3_EXAMPLE.signingDate,
      expiresInSeconds: 86400,
      unsignedPayload: true,
    });
    expect(url).toBe(S3_EXAMPLE.expected);
  });

  it("signs wss://<endpoint>/mqtt for iotdevicegateway and appends the session token unsigned", async () => {
    const host = "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com";
    const options = {
      region: regionFromEndpoint(host)!,
      credentials: S3_EXAMPLE.credentials,
      signingDate: new Date("2026-11-26T10:00:00Z"),
      expiresInSeconds: 900,
    };
    const plain = await presignIotUrl(`wss://${host}/mqtt`, options);
    const withToken = await presignIotUrl(`wss://${host}/mqtt`, {
      ...options,
      credentials: { ...options.credentials, sessionToken: "FwoG/token+with=specials" },
    });
    expect(options.region).toBe("eu-west-1");
    const query = plain.split("?")[1]!;
    const unsigned = query.replace(/&X-Amz-Signature=[0-9a-f]+$/, "");
    expect(unsigned).toBe(
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261126%2Feu-west-1%2Fiotdevicegateway%2Faws4_request" +
        "&X-Amz-Date=20261126T100000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host",
    );
    const signature = /X-Amz-Signature=([0-9a-f]{64})/.exec(query)![1];
    expect(signature).toBe(
      referenceIotSignature(
        host,
        unsigned,
        S3_EXAMPLE.credentials.secretAccessKey,
        "20261126T100000Z",
        "eu-west-1",
      ),
    );
    // The token does not change the signature and comes last, URL-encoded.
    expect(withToken).toBe(`${plain}&X-Amz-Security-Token=FwoG%2Ftoken%2Bwith%3Dspecials`);
  });

  it("puts custom-authorizer parameters in the MQTT username", () => {
    expect(
      customAuthorizerCredentials({
        name: "FleetAuthorizer",
        tokenKeyName: "token",
        token: "abc def",
        signature: "c2ln+/=",
        username: "bridge",
        password: "secret",
      }),
    ).toEqual({
      username:
        "bridge?x-amz-customauthorizer-name=FleetAuthorizer&token=abc%20def&x-amz-customauthorizer-signature=c2ln%2B%2F%3D",
      password: "secret",
    });
  });

  it("re-signs the URL for every WebSocket (re)connection, with credentials from the AWS chain", async () => {
    process.env.AWS_ACCESS_KEY_ID = "AKIDEXAMPLE";
    process.env.AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    process.env.AWS_SESSION_TOKEN = "session-token";
    // A WebSocket endpoint that records each upgrade URL and hangs up: the bridge keeps reconnecting.
    const urls: string[] = [];
    const server = http.createServer();
    const wss = new WebSocketServer({ server });
    wss.on("connection", (socket, req) => {
      urls.push(req.url ?? "");
      socket.close();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const ingest = await startFakeIngest();
    const spoolDir = mkdtempSync(path.join(tmpdir(), "sigv4-"));
    const bridge = await startBridge({
      mqttUrl: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/mqtt`,
      ingestUrl: ingest.url,
      ingestToken: "test-token",
      spoolDir,
      auth: { kind: "sigv4", region: "us-east-1" },
      readyTimeoutMs: 100,
      logLevel: "silent",
    });
    try {
      await waitFor(() => urls.length >= 2, 10_000, "a reconnection");
      for (const u of urls) {
        expect(u).toMatch(
          /^\/mqtt\?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F\d{8}%2Fus-east-1%2Fiotdevicegateway/,
        );
        expect(u).toMatch(/&X-Amz-Signature=[0-9a-f]{64}&X-Amz-Security-Token=session-token$/);
      }
      // Signed anew, not the first URL replayed (the date has second resolution, the signature differs with it).
      await waitFor(() => new Set(urls).size >= 2, 10_000, "a freshly signed URL");
    } finally {
      await bridge.close();
      await ingest.stop();
      wss.close();
      server.close();
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });
});
