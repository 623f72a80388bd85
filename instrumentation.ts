// Next.js calls register() once when a server instance starts.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // A bad setting stops the start here, naming the variable, rather than
  // failing requests (a scrape, an ingest) later.
  const { exitOnBadConfig } = await import("./lib/process/config-check");
  exitOnBadConfig();
  if (!process.env.DATABASE_URL) return;
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
  const { startRankScheduler } = await import("./lib/availability/rank-scheduler");
  startRankScheduler();
  const { ensureOnlineRollup } = await import("./lib/stats/online-rollup");
  // In the background: ingest waits while it runs, the app need not.
  ensureOnlineRollup().catch((error: Error) =>
    console.error("could not build the online chart's rollup:", error.message),
  );
  const { bootstrapAdmin } = await import("./lib/auth/operators");
  try {
    if (await bootstrapAdmin())
      console.log(`created the first admin '${process.env.ADMIN_USERNAME}'`);
  } catch (error) {
    console.error("could not create the first admin:", (error as Error).message);
  }
}
