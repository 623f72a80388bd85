// Next.js calls register() once when a server instance starts.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || !process.env.DATABASE_URL) return;
  const { installRequestGate } = await import("./lib/http/request-gate");
  installRequestGate();
  const { closeIdleConnections } = await import("./lib/http/idle-connections");
  closeIdleConnections();
  const { endStreamsOnShutdown } = await import("./lib/stream/stream-sessions");
  endStreamsOnShutdown();
  const { watchSupervisor } = await import("./lib/process/supervisor-watch");
  watchSupervisor();
  const { startRetentionScheduler } = await import("./lib/retention/scheduler");
  startRetentionScheduler();
  const { startAlertScheduler } = await import("./lib/alerts/scheduler");
  startAlertScheduler();
  const { startIncidentScheduler } = await import("./lib/incidents/scheduler");
  startIncidentScheduler();
  const { bootstrapAdmin } = await import("./lib/auth/operators");
  try {
    if (await bootstrapAdmin())
      console.log(`created the first admin '${process.env.ADMIN_USERNAME}'`);
  } catch (error) {
    console.error("could not create the first admin:", (error as Error).message);
  }
}
