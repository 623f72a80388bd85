// Next.js calls register() once when a server instance starts.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startRetentionScheduler } = await import("./lib/retention/scheduler");
  startRetentionScheduler();
}
