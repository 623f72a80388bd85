// Republished lifecycle topics map back onto the canonical `$aws/events/...`
// topic whatever republish template produced them, and the configuration
// refuses prefixes that cannot work.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../presence/types";
import { TOPIC_PREFIXES } from "../ingest/schemas";
import { bridgeConfigFromEnv, BridgeConfigError, subscriptionFilters } from "./config";
import { canonicalTopic } from "./topic-prefix";

const PREFIX = "fleet/lifecycle";
const clientIds = fc.stringMatching(/^[a-zA-Z0-9:_/-]{1,40}$/);

describe("canonicalTopic", () => {
  it("rebuilds the canonical topic from any republish template", () => {
    fc.assert(
      fc.property(clientIds, fc.constantFrom(...EVENT_TYPES), (clientId, eventType) => {
        const original = TOPIC_PREFIXES[eventType] + clientId;
        const payload = JSON.stringify({ clientId, eventType, timestamp: 1 });
        const group = original.split("/")[2]!;
        const templates = [
          `${PREFIX}/${original}`, // ${topic()}
          `${PREFIX}/${group}/${eventType}/${clientId}`, // ${topic(3)}/${topic(4)}/${clientId}
          `${PREFIX}/${eventType}`, // the topic says little: the payload decides
          `${PREFIX}/x`,
        ];
        for (const topic of templates)
          expect(canonicalTopic(PREFIX, topic, payload)).toBe(original);
      }),
    );
  });

  it("prefers the topic and leaves disagreement for ingest to quarantine", () => {
    const payload = JSON.stringify({ clientId: "b", eventType: "disconnected" });
    expect(canonicalTopic(PREFIX, `${PREFIX}/presence/connected/a`, payload)).toBe(
      "$aws/events/presence/connected/a",
    );
  });

  it("keeps the topic when neither topic nor payload names the event", () => {
    for (const payload of ["not json", "[]", '{"clientId":"a"}', '{"eventType":"connected"}'])
      expect(canonicalTopic(PREFIX, `${PREFIX}/anything`, payload)).toBe(`${PREFIX}/anything`);
    // The wrong group for the event type is no lifecycle topic either.
    expect(canonicalTopic(PREFIX, `${PREFIX}/subscriptions/connected/a`, "x")).toBe(
      `${PREFIX}/subscriptions/connected/a`,
    );
  });

  it("ignores topics outside the prefix", () => {
    expect(canonicalTopic(PREFIX, "fleet/lifecyclex/presence/connected/a", "{}")).toBeNull();
    expect(canonicalTopic(PREFIX, "$aws/events/presence/connected/a", "{}")).toBeNull();
  });
});

describe("BRIDGE_TOPIC_PREFIX", () => {
  const env = { MQTT_URL: "mqtt://127.0.0.1:1", BRIDGE_TOPIC_PREFIX: PREFIX };

  it("subscribes to the prefix, shared when a group is set", () => {
    expect(subscriptionFilters(bridgeConfigFromEnv(env))).toEqual([`${PREFIX}/#`]);
    expect(
      subscriptionFilters(bridgeConfigFromEnv({ ...env, BRIDGE_SHARE_GROUP: "bridges" })),
    ).toEqual([`$share/bridges/${PREFIX}/#`]);
  });

  it.each([
    ["$aws/events", "must not start with '$'"],
    ["fleet/+", "must not contain '+' or '#'"],
    ["fleet/lifecycle/", "must not start or end with '/'"],
  ])("refuses %s", (prefix, message) => {
    const read = () => bridgeConfigFromEnv({ ...env, BRIDGE_TOPIC_PREFIX: prefix });
    expect(read).toThrow(BridgeConfigError);
    expect(read).toThrow(`BRIDGE_TOPIC_PREFIX ${message}`);
  });
});
