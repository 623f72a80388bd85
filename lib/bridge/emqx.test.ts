import { describe, expect, it } from "vitest";
import { bridgeConfigFromEnv, BridgeConfigError, subscriptionFilters } from "./config";
import { EmqxMapper, isEmqxTopic } from "./emqx";

const node = "emqx@127.0.0.1";
const connected = {
  username: "foo",
  ts: 1625572213873,
  sockport: 1883,
  proto_ver: 4,
  proto_name: "MQTT",
  keepalive: 60,
  ipaddress: "127.0.0.1",
  expiry_interval: 0,
  connected_at: 1625572213873,
  connack: 0,
  clientid: "emqtt-8348fe27",
  clean_start: true,
};
const disconnected = {
  username: "foo",
  ts: 1625572299000,
  sockport: 1883,
  reason: "keepalive_timeout",
  proto_ver: 4,
  proto_name: "MQTT",
  ipaddress: "127.0.0.1",
  disconnected_at: 1625572299000,
  clientid: "emqtt-8348fe27",
};

describe("EMQX $SYS presence → AWS lifecycle schema", () => {
  it("maps a connect and pairs its disconnect through the connection start time", () => {
    const mapper = new EmqxMapper();
    const c = mapper.map(
      `$SYS/brokers/${node}/clients/emqtt-8348fe27/connected`,
      JSON.stringify(connected),
    )!;
    const d = mapper.map(
      `$SYS/brokers/${node}/clients/emqtt-8348fe27/disconnected`,
      JSON.stringify(disconnected),
    )!;
    expect(c.topic).toBe("$aws/events/presence/connected/emqtt-8348fe27");
    expect(JSON.parse(c.payload)).toMatchObject({
      clientId: "emqtt-8348fe27",
      eventType: "connected",
      timestamp: 1625572213873,
      versionNumber: 1625572213873,
      sessionIdentifier: `emqx:${node}:emqtt-8348fe27`,
      principalIdentifier: "foo",
      ipAddress: "127.0.0.1",
      emqx: connected,
    });
    expect(d.topic).toBe("$aws/events/presence/disconnected/emqtt-8348fe27");
    expect(JSON.parse(d.payload)).toMatchObject({
      eventType: "disconnected",
      timestamp: 1625572299000,
      versionNumber: 1625572213873,
      sessionIdentifier: `emqx:${node}:emqtt-8348fe27`,
      disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT",
      clientInitiatedDisconnect: false,
    });
  });

  it("uses connected_at from the disconnect when present, its own time when nothing is known", () => {
    const mapper = new EmqxMapper();
    const topic = `$SYS/brokers/${node}/clients/x/disconnected`;
    const withStart = mapper.map(
      topic,
      JSON.stringify({
        ...disconnected,
        clientid: "x",
        reason: "normal",
        connected_at: 1625572200000,
      }),
    )!;
    expect(JSON.parse(withStart.payload)).toMatchObject({
      versionNumber: 1625572200000,
      clientInitiatedDisconnect: true,
      disconnectReason: "CLIENT_INITIATED_DISCONNECT",
    });
    const unknown = mapper.map(
      topic,
      JSON.stringify({ ...disconnected, clientid: "x", reason: "something_new" }),
    )!;
    expect(JSON.parse(unknown.payload)).toMatchObject({
      versionNumber: 1625572299000,
      disconnectReason: "SOMETHING_NEW",
    });
  });

  it("ignores other $SYS topics and non-JSON payloads", () => {
    const mapper = new EmqxMapper();
    expect(isEmqxTopic(`$SYS/brokers/${node}/uptime`)).toBe(false);
    expect(mapper.map(`$SYS/brokers/${node}/uptime`, "1s")).toBeNull();
    expect(mapper.map(`$SYS/brokers/${node}/clients/a/connected`, "not json")).toBeNull();
  });
});

describe("bridge configuration from the environment", () => {
  it("reads MQTT_URL, INGEST_URL, the first INGEST_TOKEN and BRIDGE_* settings", () => {
    const c = bridgeConfigFromEnv({
      MQTT_URL: "ws://127.0.0.1:8080/mqtt",
      INGEST_TOKEN: " new-token , old-token",
      BRIDGE_SHARE_GROUP: "bridges",
      BRIDGE_BATCH_MAX_EVENTS: "50",
      BRIDGE_METRICS_PORT: "off",
      BRIDGE_MQTT_VERSION: "5",
    });
    expect(c).toMatchObject({
      mqttUrl: "ws://127.0.0.1:8080/mqtt",
      ingestUrl: "http://127.0.0.1:3000/api/ingest",
      ingestToken: "new-token",
      batchMaxEvents: 50,
      metricsPort: undefined,
      protocolVersion: 5,
      auth: { kind: "none" },
    });
    expect(subscriptionFilters(c)).toEqual([
      "$share/bridges/$aws/events/presence/connected/#",
      "$share/bridges/$aws/events/presence/disconnected/#",
      "$share/bridges/$aws/events/presence/connect_failed/#",
      "$share/bridges/$aws/events/subscriptions/subscribed/#",
      "$share/bridges/$aws/events/subscriptions/unsubscribed/#",
    ]);
  });

  it("picks SigV4 for an AWS IoT wss endpoint and a custom authorizer when one is named", () => {
    const aws = bridgeConfigFromEnv({
      MQTT_URL: "wss://abc-ats.iot.eu-central-1.amazonaws.com/mqtt",
    });
    expect(aws.auth).toEqual({ kind: "sigv4", region: "eu-central-1" });
    const custom = bridgeConfigFromEnv({
      MQTT_URL: "wss://abc-ats.iot.eu-central-1.amazonaws.com/mqtt",
      BRIDGE_AWS_AUTHORIZER_NAME: "FleetAuth",
      BRIDGE_AWS_AUTHORIZER_TOKEN_KEY: "token",
      BRIDGE_AWS_AUTHORIZER_TOKEN: "t",
    });
    expect(custom.auth).toMatchObject({
      kind: "custom-authorizer",
      name: "FleetAuth",
      tokenKeyName: "token",
      token: "t",
    });
    expect(subscriptionFilters({ emqx: true })).toContain("$SYS/brokers/+/clients/+/connected");
  });

  it("explains what is missing or malformed", () => {
    expect(() => bridgeConfigFromEnv({})).toThrow(BridgeConfigError);
    expect(() => bridgeConfigFromEnv({}, { mqttUrl: "ws://127.0.0.1:1/mqtt" })).not.toThrow();
    expect(() =>
      bridgeConfigFromEnv({ MQTT_URL: "ws://x/mqtt", BRIDGE_SPOOL_FSYNC: "sometimes" }),
    ).toThrow(/BRIDGE_SPOOL_FSYNC/);
  });
});
