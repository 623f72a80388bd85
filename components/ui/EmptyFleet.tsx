/** Shown when no client was ever seen: the ways to get data in. */
export function EmptyFleet() {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-sm dark:border-slate-700 dark:bg-slate-900">
      <h2 className="text-base font-semibold">No clients yet</h2>
      <p className="mt-2 text-slate-600 dark:text-slate-300">
        The dashboard fills itself from AWS IoT lifecycle events. Three ways to get some:
      </p>
      <ol className="mt-3 list-decimal space-y-2 pl-5 text-slate-700 dark:text-slate-200">
        <li>
          <strong>Demo:</strong>{" "}
          <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">npm start</code> runs a
          database, a broker, the bridge and a simulated fleet.
        </li>
        <li>
          <strong>Your broker:</strong>{" "}
          <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">
            MQTT_URL=… INGEST_TOKEN=… npm run bridge
          </code>{" "}
          subscribes to <code>$aws/events/#</code> and posts the events here.
        </li>
        <li>
          <strong>By hand:</strong>{" "}
          <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">POST /api/ingest</code> with{" "}
          <code>Authorization: Bearer &lt;INGEST_TOKEN&gt;</code> and a lifecycle event as the body.
        </li>
      </ol>
    </div>
  );
}
