// AWS IoT's disconnectReason codes, in words an operator reads at a glance.
const REASONS: Record<string, string> = {
  AUTH_ERROR: "Authentication failed",
  CLIENT_INITIATED_DISCONNECT: "Client disconnected",
  CLIENT_ERROR: "Client protocol error",
  CONNECTION_LOST: "Connection lost",
  DUPLICATE_CLIENTID: "Replaced by same client ID",
  FORBIDDEN_ACCESS: "Not authorized",
  MQTT_KEEP_ALIVE_TIMEOUT: "Keep-alive timed out",
  SERVER_ERROR: "Broker error",
  SERVER_INITIATED_DISCONNECT: "Disconnected by broker",
  API_INITIATED_DISCONNECT: "Disconnected by API",
  THROTTLED: "Throttled",
  WEBSOCKET_TTL_EXPIRATION: "WebSocket lifetime ended",
  CUSTOMAUTH_TTL_EXPIRATION: "Custom auth expired",
};

/** Known codes in words; any other string (newer AWS codes) as sentence case, never dropped. */
export function reasonInWords(reason: string | null): string | null {
  if (reason === null || reason === "") return null;
  const known = REASONS[reason];
  if (known !== undefined) return known;
  const words = reason.replace(/_/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
