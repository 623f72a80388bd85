"use client";

import { useQueryClient } from "@tanstack/react-query";
import { queryKeys } from "../hooks/query-keys";
import { useClientsQuery } from "../hooks/use-clients-query";
import { useSummaryQuery } from "../hooks/use-fleet-stats";
import { useUrlState } from "../hooks/use-url-state";
import { EmptyFleet } from "../ui/EmptyFleet";
import { ErrorBanner } from "../ui/ErrorBanner";
import { ClientTable } from "./ClientTable";
import { ExportPanel } from "./ExportPanel";
import { FleetToolbar } from "./FleetToolbar";
import { LabelFilterBar } from "./LabelFilterBar";
import { LabelFacet } from "./LabelFacet";
import { formatLabelFilter } from "@/contract/labels";
import { OnlineChart } from "./OnlineChart";
import { ReasonsChart } from "./ReasonsChart";
import { SummaryCards } from "./SummaryCards";
import { TableExportLink } from "./TableExportLink";
import { TimeTravel } from "./TimeTravel";
import { parseFleetParams } from "./fleet-params";

/** The page operators keep open: counts, the online chart and the live client table. */
export function FleetPage() {
  const [search, setSearch] = useUrlState();
  const { filters, chart } = parseFleetParams(search);
  const queryClient = useQueryClient();
  const asOf = filters.asOf;
  const summary = useSummaryQuery(asOf);
  const clients = useClientsQuery(filters);
  const error = clients.error ?? summary.error;
  // A past moment before the first client still shows the chart, to travel elsewhere.
  const empty = asOf === undefined && summary.data?.total === 0 && summary.data.neverSeen === 0;
  const travel = (at: string) => setSearch({ asOf: at, sort: undefined });

  return (
    <main id="main" className="mx-auto max-w-7xl space-y-4 px-4 py-6 sm:px-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Fleet</h1>
        <div className="flex items-center gap-2">
          <TableExportLink filters={filters} />
          <ExportPanel filters={filters} />
        </div>
      </div>
      {error ? (
        <ErrorBanner
          error={error}
          onRetry={() => {
            void queryClient.invalidateQueries({ queryKey: queryKeys.summary() });
            void queryClient.invalidateQueries({ queryKey: queryKeys.clientsRoot() });
          }}
        />
      ) : null}
      <TimeTravel asOf={asOf} onTravel={travel} onLive={() => setSearch({ asOf: undefined })} />
      <SummaryCards
        past={asOf !== undefined}
        counts={summary.data}
        active={filters.status}
        flapping={filters.flapping}
        onPick={setSearch}
      />
      {empty ? (
        <EmptyFleet />
      ) : (
        <>
          <OnlineChart
            range={chart}
            onRange={(r) => setSearch({ chart: r === "24h" ? undefined : r })}
            labels={filters.label}
            onPick={travel}
            asOf={asOf}
          />
          <LabelFacet
            key={search.get("facet") ?? "site"}
            facetKey={search.get("facet") ?? "site"}
            range={chart}
            onKey={(key) => setSearch({ facet: key === "site" ? undefined : key })}
            onPick={(f) =>
              setSearch({
                label: [...(filters.label ?? []).filter((g) => g.key !== f.key), f].map(
                  formatLabelFilter,
                ),
              })
            }
          />
          <ReasonsChart range={chart} labels={filters.label} />
          <FleetToolbar filters={filters} onChange={setSearch} />
          <LabelFilterBar filters={filters.label ?? []} onChange={setSearch} />
          <ClientTable query={clients} filters={filters} onSort={setSearch} />
        </>
      )}
    </main>
  );
}
