// The database reads of an API GET request end with the request. Without
// this, a read whose caller had gone (a closed socket, a client's own
// timeout) ran on in PostgreSQL for as long as it took, holding a core and a
// pooled connection from every request after it; and a read that never
// finished held them for good.
//
// A GET handler runs inside a read scope (lib/http/route-methods.ts; the
// fleet page's server-side prefetch has one too, lib/clients/first-page.ts).
// Every statement it sends through the main pool's query() (the set-based
// reads of lib/clients, lib/stats, lib/availability, lib/export's setup) is
// cancelled in PostgreSQL, by a CancelRequest (cancel.ts), when the request
// is aborted or when it has run for QUERY_TIMEOUT_MS; the timeout answers
// 503 `query_timeout`. Prisma's queries reach the pool outside the caller's
// async context (its engine runs them), so its reads (one client, its
// events, sessions) are not bound: all are small indexed lookups.
//
// What it leaves alone, on purpose:
// - everything outside a GET handler: ingest (POST; its batches are
//   transactions, so a cut one would only roll back and be sent again, work
//   wasted for nothing), migrations, the retention and partition job, the
//   availability and online rollup rebuilds, the incident and alert jobs:
//   none serves a waiting caller, and each has its own bounds;
// - transactions (pool.connect()): a GET that writes opts out of the scope
//   (routeMethods' `getWrites`), and reads need no transaction;
// - the rows of a streamed CSV export: they come from a cursor on the export
//   pool, after the handler has answered (the scope has ended by then), under
//   the export's own idle and total caps (lib/export/limits.ts), which a long
//   but healthy download must be allowed to use; lib/export/csv-stream.ts
//   cancels a running FETCH itself when the reader goes away. The reads that
//   prepare an export (its label columns) are the request's.
// A server-side statement_timeout would serve the timeout alone, but the
// main pool is shared with ingest and Prisma: a session setting would leak to
// them, and setting and resetting it around each read costs two round trips;
// cancelling from here is the same mechanism as for an abort.
import { AsyncLocalStorage } from "node:async_hooks";
import type pg from "pg";
import { queryTimeoutMs } from "../config";
import { RequestAborted, ServiceError } from "../errors";
import { appLog } from "../log/logger";
import { sendCancelRequest } from "./cancel";

interface ReadScope {
  /** What the timeout message names: "GET /api/clients". */
  what: string;
  timeoutMs: number;
  /** Aborted when the request is, or at the deadline. */
  signal: AbortSignal;
  timedOut: boolean;
  /** The handler has answered: statements sent later (a streamed body, work it left running) are not its reads. */
  ended: boolean;
  /** The error a read ends with once the scope is aborted (made where the handler's error mapping can recognise it). */
  fail: (cause?: unknown) => Error;
}

// One per process, kept on globalThis as the pool is (lib/db/client.ts):
// Next bundles this module into several route chunks, and the pool's query()
// is bound by the copy in whichever chunk made the pool first.
const holder = globalThis as unknown as { fleetReadScopes?: AsyncLocalStorage<ReadScope> };
const scopes = (holder.fleetReadScopes ??= new AsyncLocalStorage<ReadScope>());

/**
 * Runs a GET handler with its database reads bound to the request: cancelled
 * when `request.signal` aborts, or once `timeoutMs` have passed since the
 * handler started (0: never).
 */
export function withRequestReads<T>(
  request: Request,
  run: () => Promise<T>,
  timeoutMs = queryTimeoutMs(),
): Promise<T> {
  const what = `${request.method} ${new URL(request.url).pathname}`;
  return withReadScope({ what, signal: request.signal, timeoutMs }, run);
}

/**
 * The same for reads that serve no Request object (a page's server-side
 * prefetch): cancelled when `signal` aborts or after `timeoutMs`, which
 * `limit` names in the timeout's message.
 */
export async function withReadScope<T>(
  options: { what: string; timeoutMs: number; signal?: AbortSignal; limit?: string },
  run: () => Promise<T>,
): Promise<T> {
  const { what, timeoutMs, signal, limit = "QUERY_TIMEOUT_MS" } = options;
  const controller = new AbortController();
  const scope: ReadScope = {
    what,
    timeoutMs,
    signal: controller.signal,
    timedOut: false,
    ended: false,
    fail: (cause) => scopeError(scope, limit, cause),
  };
  const onAbort = () => controller.abort();
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  const deadline =
    timeoutMs > 0
      ? setTimeout(() => {
          scope.timedOut = true;
          controller.abort();
        }, timeoutMs)
      : undefined;
  try {
    return await scopes.run(scope, run);
  } finally {
    scope.ended = true;
    clearTimeout(deadline);
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * The read scope the caller runs in, if any: its signal, and the error its
 * reads end with once it aborts. For work shared by several requests
 * (lib/stats/shared-counts.ts), which runs in a scope of its own and stops
 * when none of them waits any longer.
 */
export function currentReadScope():
  { signal: AbortSignal; fail: (cause?: unknown) => Error } | undefined {
  const scope = scopes.getStore();
  return scope === undefined || scope.ended
    ? undefined
    : { signal: scope.signal, fail: scope.fail };
}

/** The error a read of a scope that timed out or was aborted ends with. */
function scopeError(scope: ReadScope, limit: string, cause?: unknown): Error {
  if (!scope.timedOut) return new RequestAborted(undefined, { cause });
  const seconds = scope.timeoutMs / 1000;
  return new ServiceError(
    "query_timeout",
    `${scope.what}: the database did not answer within ${seconds} s (${limit}), so the query was cancelled; retry later or narrow the request.`,
    // As long as the read was allowed to run: a busy database gets no quicker retry.
    { cause, retryAfterSeconds: Math.max(1, Math.ceil(seconds)) },
  );
}

/** A second cancel goes out if the first one found the backend not yet running the statement. */
const RESEND_CANCEL_MS = 1_000;
/** Past this many, the connection is closed instead: the statement could not be reached. */
const MAX_CANCELS = 5;

const QUERY_CANCELED = "57014";

/**
 * Cancels the statement `client` is running until it has ended: a cancel
 * that reaches the backend before it starts the statement is ignored, so it
 * is sent again while the statement runs on. Returns how many were sent.
 */
async function cancelUntilSettled(client: pg.PoolClient, settled: Promise<void>): Promise<number> {
  let done = false;
  void settled.then(() => (done = true));
  for (let sent = 1; ; sent += 1) {
    await sendCancelRequest(client);
    await Promise.race([settled, new Promise((r) => setTimeout(r, RESEND_CANCEL_MS))]);
    if (done) return sent;
    if (sent >= MAX_CANCELS) {
      // The server cannot be reached to cancel: closing the socket at least frees the pool slot.
      client.connection.stream.destroy();
      await settled;
      return sent;
    }
  }
}

/** pool.query inside a read scope: the same answer, on a connection it can cancel. */
async function scopedQuery(
  pool: pg.Pool,
  scope: ReadScope,
  args: unknown[],
): Promise<pg.QueryResult> {
  if (scope.signal.aborted) throw scope.fail();
  const client = await pool.connect();
  if (scope.signal.aborted) {
    client.release();
    throw scope.fail();
  }
  // A connection lost mid-statement emits 'error' as well as failing it; unheard, that would crash the process.
  const onError = () => {};
  client.on("error", onError);
  const query = (client.query as (...a: unknown[]) => Promise<pg.QueryResult>)(...args);
  const settled = query.then(
    () => {},
    () => {},
  );
  let cancels: Promise<number> | undefined;
  const cancel = () => {
    cancels = cancelUntilSettled(client, settled);
    if (scope.timedOut)
      appLog.warn("a read ran past its time limit and was cancelled", {
        request: scope.what,
        timeoutMs: scope.timeoutMs,
      });
  };
  scope.signal.addEventListener("abort", cancel, { once: true });
  let failure: unknown;
  try {
    return await query;
  } catch (error) {
    failure = error;
    const canceled = (error as { code?: unknown }).code === QUERY_CANCELED;
    throw cancels !== undefined && canceled ? scope.fail(error) : error;
  } finally {
    scope.signal.removeEventListener("abort", cancel);
    const sent = cancels === undefined ? 0 : await cancels;
    client.off("error", onError);
    // One cancel that ended the statement has been used up: the connection is
    // as good as new. A cancel that may still be pending (the statement ended
    // on its own, or several were sent) could stop the next user's statement
    // instead, so that connection is closed, as pool.query closes one after
    // any error.
    const spent = sent === 1 && (failure as { code?: unknown })?.code === QUERY_CANCELED;
    client.release(sent === 0 ? (failure as Error | undefined) : spent ? undefined : true);
  }
}

/**
 * Makes `pool.query` honour the read scope of the request it serves, if any;
 * outside one (or with a callback) it is node-pg's own.
 */
export function bindReadsToRequests(pool: pg.Pool): void {
  const plain = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = ((...args: unknown[]) => {
    const scope = scopes.getStore();
    if (scope === undefined || scope.ended || typeof args[args.length - 1] === "function")
      return plain(...args);
    return scopedQuery(pool, scope, args);
  }) as typeof pool.query;
}
