"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { queryKeys } from "../hooks/query-keys";
import { postImport, type ImportAnswer } from "../hooks/use-labels";
import { ApiError } from "../hooks/fetch-json";
import { Panel } from "../ui/Panel";
import { ImportPreview } from "./ImportPreview";

/** The one primary action of a form (its own classes: bg-white of `button` would win over bg-sky). */
const primary =
  "rounded-lg border border-sky-700 bg-sky-700 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-50 dark:hover:bg-sky-600";
const button =
  "rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";

const EXAMPLE = "clientId,key,value\nsensor-001,site,berlin\nsensor-001,customer,acme\n";

type Format = "text/csv" | "application/json";

/** JSON when it looks like an array, CSV otherwise: operators paste either. */
function detectFormat(text: string): Format {
  return text.trimStart().startsWith("[") ? "application/json" : "text/csv";
}

/** Import labels from CSV or JSON: preview what changes, then apply (all or nothing). */
export function InventoryPage() {
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [preview, setPreview] = useState<ImportAnswer | null>(null);
  const [applied, setApplied] = useState<ImportAnswer | null>(null);
  const [failure, setFailure] = useState<{ message: string; answer?: ImportAnswer } | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (dryRun: boolean) => {
    setBusy(true);
    setFailure(null);
    try {
      const answer = await postImport(text, detectFormat(text), dryRun);
      if (dryRun) setPreview(answer);
      else {
        setApplied(answer);
        setPreview(null);
        void queryClient.invalidateQueries({ queryKey: queryKeys.clientsRoot() });
      }
    } catch (error) {
      const rejected =
        error instanceof ApiError ? (error.body as ImportAnswer | undefined) : undefined;
      setFailure({
        message: error instanceof Error ? error.message : String(error),
        answer: rejected?.rejected ? rejected : undefined,
      });
      setPreview(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="mx-auto max-w-5xl space-y-4 px-4 py-6 sm:px-6">
      <h1 className="text-2xl font-semibold tracking-tight">Inventory</h1>
      <Panel id="import" title="Import labels">
        <div className="space-y-3 text-sm">
          <p className="text-slate-700 dark:text-slate-300">
            CSV with the header <code className="font-mono">clientId,key,value</code> (one row per
            label) or JSON <code className="font-mono">{'[{"clientId", "labels": {…}}]'}</code>.
            Each client listed gets exactly the labels in the file (labels it had that the file does
            not name are removed); clients not listed keep theirs. Devices not seen yet may be
            labelled too: the fleet counts them as never seen until their first event. One bad row
            rejects the whole import.
          </p>
          <label className="flex flex-col gap-1 font-medium text-slate-700 dark:text-slate-300">
            File
            <input
              type="file"
              accept=".csv,.json,text/csv,application/json"
              className="text-sm"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file)
                  void file.text().then((content) => {
                    setText(content);
                    setPreview(null);
                    setApplied(null);
                  });
              }}
            />
          </label>
          <label className="flex flex-col gap-1 font-medium text-slate-700 dark:text-slate-300">
            Or paste it
            <textarea
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setPreview(null);
                setApplied(null);
              }}
              rows={8}
              placeholder={EXAMPLE}
              className="rounded-lg border border-slate-300 bg-white p-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
            />
          </label>
          <div className="flex gap-2">
            <button
              type="button"
              className={button}
              disabled={busy || text.trim() === ""}
              onClick={() => void run(true)}
            >
              Preview changes
            </button>
            <button
              type="button"
              className={primary}
              disabled={busy || preview === null}
              onClick={() => void run(false)}
            >
              Apply import
            </button>
          </div>
          {failure ? (
            <div role="alert" className="text-red-700 dark:text-red-300">
              <p>{failure.message}</p>
              {failure.answer ? (
                <ul className="mt-1 list-disc pl-5 text-xs">
                  {failure.answer.rejected.slice(0, 20).map((r, i) => (
                    <li key={i}>
                      {r.line !== undefined ? `Line ${r.line}` : `Item ${r.index ?? "?"}`}:{" "}
                      {r.error}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
          {applied ? (
            <p role="status" className="text-emerald-800 dark:text-emerald-300">
              Imported {applied.labels} labels for {applied.clients} clients.
            </p>
          ) : null}
        </div>
      </Panel>
      {preview?.preview ? <ImportPreview answer={preview} /> : null}
    </main>
  );
}
