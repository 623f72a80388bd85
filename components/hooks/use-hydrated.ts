"use client";

import { useSyncExternalStore } from "react";

const noop = () => () => {};

/**
 * False while the server renders and while React hydrates, true after. Times
 * are formatted in the browser's zone and locale, which the server does not
 * know: until then they show as UTC, so hydration never mismatches.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}
