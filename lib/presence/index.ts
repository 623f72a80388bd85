// The presence model: pure functions (no I/O) that derive a client's
// connections, status and subscriptions from its lifecycle events. This is
// the REFERENCE definition of every presence rule. Three copies run in
// production, each held to it by property tests over random histories:
//
// - PostgreSQL (lib/ingest/store-sql.ts folds events into client_state and
//   connection; lib/clients/client-row.ts statusSql and countClients filter
//   and count by status): lib/ingest/convergence-db.test.ts and
//   lib/clients/presence-copies.test.ts.
// - The read path computes each client's status with this model itself
//   (toClientView calls presenceStatus on the stored current connection).
// - The browser patches its cached lists with components/live/patch-clients.ts
//   (filter, order, pending expiry): lib/clients/presence-copies.test.ts holds
//   its filter and order to listClients.
//
// Change a rule here first, then its copies; the tests say which one lags.
export * from "./types";
export * from "./connections";
export * from "./current";
export * from "./status";
export * from "./subscriptions";
export * from "./timeline";
export * from "./fold";
export * from "./availability";
export * from "./as-of";
