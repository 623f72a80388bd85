"use client";

import { useEffect, useRef, useState } from "react";
import type { Theme } from "../format/theme";

/** What the standalone bundle puts on window (only the part used here). */
interface ScalarGlobal {
  createApiReference(element: HTMLElement, config: Record<string, unknown>): { destroy?(): void };
}

const BUNDLE_URL = "/api-reference/scalar.js";

/** Loads the bundle once per page; a script a nonce'd script adds is allowed by 'strict-dynamic'. */
function loadScalar(): Promise<ScalarGlobal> {
  const w = window as unknown as { Scalar?: ScalarGlobal; fleetScalar?: Promise<ScalarGlobal> };
  w.fleetScalar ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = BUNDLE_URL;
    script.async = true;
    script.onload = () => (w.Scalar ? resolve(w.Scalar) : reject(new Error("Scalar missing")));
    script.onerror = () => {
      delete w.fleetScalar;
      reject(new Error("The reference renderer could not be loaded."));
    };
    document.head.append(script);
  });
  return w.fleetScalar;
}

/** The API reference: Scalar over GET /api/openapi.json, in the app's light or dark theme. */
export function ApiReference({ theme }: { theme: Theme }) {
  const container = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let app: { destroy?(): void } | null = null;
    let cancelled = false;
    const dark =
      theme === "dark" ||
      (theme === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
    loadScalar()
      .then((scalar) => {
        if (cancelled || container.current === null) return;
        app = scalar.createApiReference(container.current, {
          url: "/api/openapi.json",
          // Everything from this origin: no web fonts, telemetry or proxy elsewhere.
          withDefaultFonts: false,
          telemetry: false,
          hideDarkModeToggle: true,
          forceDarkModeState: dark ? "dark" : "light",
          darkMode: dark,
          showDeveloperTools: "never",
          hideClientButton: true,
          agent: { disabled: true },
        });
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
      app?.destroy?.();
    };
  }, [theme]);

  return (
    <main id="main" className="min-h-[70vh]">
      <h1 className="sr-only">API reference</h1>
      {error !== null ? (
        <p role="alert" className="mx-auto max-w-3xl px-4 py-6 text-red-700 dark:text-red-300">
          {error} The document itself is at{" "}
          <a className="underline" href="/api/openapi.json">
            /api/openapi.json
          </a>
          .
        </p>
      ) : null}
      <div ref={container} data-testid="api-reference" />
    </main>
  );
}
