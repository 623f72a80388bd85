// The vendors' documented message shapes, copied as facts (values from their
// examples; times and IDs are parameters so tests can build histories).

/**
 * AWS IoT lifecycle events as the rule `SELECT *, topic() AS topic FROM
 * '$aws/events/#'` sends them through the HTTPS action: the event's fields
 * plus the rule's `topic` column.
 * https://docs.aws.amazon.com/iot/latest/developerguide/life-cycle-events.html
 * https://docs.aws.amazon.com/iot/latest/developerguide/https-rule-action.html
 */
export function awsRuleConnected(clientId: string, timestamp: number, versionNumber: number) {
  return {
    clientId,
    timestamp,
    eventType: "connected",
    sessionIdentifier: "00000000-0000-0000-0000-000000000000",
    principalIdentifier: "12345678901234567890123456789012",
    ipAddress: "192.0.2.0",
    versionNumber,
    topic: `$aws/events/presence/connected/${clientId}`,
  };
}

export function awsRuleDisconnected(clientId: string, timestamp: number, versionNumber: number) {
  return {
    clientId,
    timestamp,
    eventType: "disconnected",
    sessionIdentifier: "00000000-0000-0000-0000-000000000000",
    principalIdentifier: "12345678901234567890123456789012",
    clientInitiatedDisconnect: true,
    disconnectReason: "CLIENT_INITIATED_DISCONNECT",
    versionNumber,
    topic: `$aws/events/presence/disconnected/${clientId}`,
  };
}

/**
 * AWS's HTTP topic rule destination confirmation request (headers and body).
 * https://docs.aws.amazon.com/iot/latest/developerguide/rule-destination-http-managing.html
 * The documented token is shown truncated ("…"); this one is whole, in the
 * same alphabet.
 */
export const AWS_CONFIRMATION_TOKEN =
  "AYADeMXLrPrNY2wqJAKsFNn-5vYOSG6p1IbrJj3fFqvNNXVQwkAAAAGQ_NBJndA";
export const AWS_DESTINATION_ARN =
  "arn:aws:iot:us-east-1:123456789012:ruledestination/http/7a280e37-b9c6-47a2-a751-0703693f46e4";
export const awsDestinationConfirmation = {
  headers: {
    "x-amz-rules-engine-message-type": "DestinationConfirmation",
    "x-amz-rules-engine-destination-arn": `"${AWS_DESTINATION_ARN}"`,
    "Content-Type": "application/json",
  },
  body: {
    arn: AWS_DESTINATION_ARN,
    confirmationToken: AWS_CONFIRMATION_TOKEN,
    enableUrl: `https://iot.us-east-1.amazonaws.com/confirmdestination/${AWS_CONFIRMATION_TOKEN}`,
    messageType: "DestinationConfirmation",
  },
};

type AzureEventType = "DeviceConnected" | "DeviceDisconnected";

interface AzureEventOptions {
  deviceId: string;
  moduleId?: string;
  sequenceNumber: string;
  eventTime: string;
  id: string;
}

const AZURE_HUB_RESOURCE =
  "/SUBSCRIPTIONS/<subscription ID>/RESOURCEGROUPS/<resource group name>/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<hub name>";

/** What both schemas carry in `data`. */
function azureEventData(options: AzureEventOptions) {
  return {
    deviceConnectionStateEventInfo: { sequenceNumber: options.sequenceNumber },
    hubName: "egtesthub1",
    deviceId: options.deviceId,
    ...(options.moduleId === undefined ? {} : { moduleId: options.moduleId }),
  };
}

/**
 * Azure IoT Hub DeviceConnected / DeviceDisconnected, Event Grid schema and
 * CloudEvents schema (both have the same data).
 * https://learn.microsoft.com/en-us/azure/event-grid/event-schema-iot-hub
 */
export function azureEventGridEvent(type: AzureEventType, options: AzureEventOptions) {
  return {
    id: options.id,
    topic: AZURE_HUB_RESOURCE,
    subject: `devices/${options.deviceId}`,
    eventType: `Microsoft.Devices.${type}`,
    eventTime: options.eventTime,
    data: azureEventData(options),
    dataVersion: "1",
    metadataVersion: "1",
  };
}

export function azureCloudEvent(type: AzureEventType, options: AzureEventOptions) {
  return {
    id: options.id,
    source: AZURE_HUB_RESOURCE,
    subject: `devices/${options.deviceId}`,
    type: `Microsoft.Devices.${type}`,
    time: options.eventTime,
    data: azureEventData(options),
    specversion: "1.0",
  };
}

/**
 * A device's (or its module's) connection state events for a test history:
 * `(type, n, at, cloud)` is its n-th, at `at`, in Event Grid's schema (an
 * array: Event Grid always delivers one) or, with `cloud`, one CloudEvent.
 * `format` writes n as a sequence number and `at` as the event time.
 */
export function azureDeviceEvents(
  format: { sequence: (n: number) => string; time: (at: number) => string },
  deviceId: string,
  moduleId?: string,
) {
  return (type: AzureEventType, n: number, at: number, cloud = false) => {
    const options = {
      deviceId,
      moduleId,
      sequenceNumber: format.sequence(n),
      eventTime: format.time(at),
      id: `${deviceId}-${moduleId ?? ""}-${n}`,
    };
    return cloud ? azureCloudEvent(type, options) : [azureEventGridEvent(type, options)];
  };
}

/** The documented example's sequence number. */
export const AZURE_DOC_SEQUENCE =
  "000000000000000001D4132452F67CE200000002000000000000000000000001";

/**
 * Event Grid's subscription validation event (header aeg-event-type: SubscriptionValidation).
 * https://learn.microsoft.com/en-us/azure/event-grid/webhook-event-delivery
 */
export const azureValidationEvent = [
  {
    id: "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66",
    topic: "/subscriptions/xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
    subject: "",
    data: {
      validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
      validationUrl:
        "https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/myeventsub/validate?id=0000000000-0000-0000-0000-00000000000000&t=2022-10-28T04:23:35.1981776Z&apiVersion=2018-05-01-preview&token=1A1A1A1A",
    },
    eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
    eventTime: "2022-10-28T04:23:35.1981776Z",
    metadataVersion: "1",
    dataVersion: "1",
  },
];

/**
 * EMQX 5 rule engine `SELECT * FROM "$events/client_connected"` /
 * `"$events/client_disconnected"` output, as its HTTP action posts it.
 * https://docs.emqx.com/en/emqx/latest/data-integration/rule-sql-events-and-fields.html
 */
export function emqxClientConnected(clientid: string, connectedAt: number) {
  return {
    username: "u_emqx",
    timestamp: connectedAt,
    sockname: "0.0.0.0:1883",
    proto_ver: 5,
    proto_name: "MQTT",
    peername: "127.0.0.1:64001",
    node: "emqx@127.0.0.1",
    mountpoint: "undefined",
    metadata: { rule_id: "sql_tester:0d1b0d2f" },
    keepalive: 60,
    is_bridge: false,
    expiry_interval: 3600,
    event: "client.connected",
    connected_at: connectedAt,
    conn_props: { "User-Property": {}, "Request-Problem-Information": 1 },
    clientid,
    clean_start: true,
  };
}

export function emqxClientDisconnected(
  clientid: string,
  connectedAt: number,
  disconnectedAt: number,
  reason = "normal",
) {
  return {
    username: "u_emqx",
    timestamp: disconnectedAt,
    sockname: "0.0.0.0:1883",
    reason,
    proto_ver: 5,
    proto_name: "MQTT",
    peername: "127.0.0.1:64001",
    node: "emqx@127.0.0.1",
    metadata: { rule_id: "sql_tester:0d1b0d2f" },
    event: "client.disconnected",
    disconnected_at: disconnectedAt,
    connected_at: connectedAt,
    disconn_props: { "User-Property": {} },
    clientid,
  };
}
