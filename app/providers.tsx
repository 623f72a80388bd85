"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { ApiError } from "@/components/hooks/fetch-json";
import { LiveProvider } from "@/components/live/LiveProvider";

/** A refusal (401, 403, 404…) will not change on a second try; an outage may. */
function retryOnce(failures: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failures < 1;
}

/** `live`: open the event stream (only for a logged-in operator; the login page has nothing to stream). */
export function Providers({ children, live }: { children: ReactNode; live: boolean }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // The stream keeps cached data fresh; refetching on focus would only repeat it.
          queries: { staleTime: 60_000, retry: retryOnce, refetchOnWindowFocus: false },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      {live ? <LiveProvider>{children}</LiveProvider> : children}
    </QueryClientProvider>
  );
}
