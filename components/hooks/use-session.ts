"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Role } from "@/lib/auth/schemas";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";

/** The logged-in operator as the header shows it. */
export interface Operator {
  username: string;
  role: Role;
}

/**
 * GET /api/auth/me. The server shell already knows who is logged in and
 * seeds the cache, so the header never flickers; the request still runs on
 * mount and confirms the session is alive (a 401 leads to the login page).
 */
export function useMeQuery(initial: Operator) {
  return useQuery({
    queryKey: queryKeys.me(),
    queryFn: async ({ signal }) => {
      // The CSRF token in the answer stays out of the cache: fetchJson reads the cookie.
      const { username, role } = await fetchJson<Operator & { csrfToken: string }>("/api/auth/me", {
        signal,
      });
      return { username, role } satisfies Operator;
    },
    initialData: initial,
    initialDataUpdatedAt: 0,
    staleTime: 5 * 60_000,
  });
}

/** POST /api/auth/logout revokes the session server-side; then nothing cached may outlive it. */
export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => fetchJson<void>("/api/auth/logout", { method: "POST" }),
    onSuccess: () => {
      queryClient.clear();
      window.location.assign("/login");
    },
  });
}
