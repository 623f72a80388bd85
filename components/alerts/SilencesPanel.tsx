"use client";

import { useState, type FormEvent } from "react";
import { useCreateSilence, useEndSilence, useSilencesQuery } from "../hooks/use-alerts";
import { primaryButton } from "../ui/Dialog";
import { ErrorBanner } from "../ui/ErrorBanner";
import { LocalTime } from "../ui/LocalTime";
import { Panel } from "../ui/Panel";
import { field, fieldLabel, smallButton, td, th } from "../admin/styles";
import { describeSelector, parseLabelsText } from "./selector-text";

function SilenceForm() {
  const create = useCreateSilence();
  const [pattern, setPattern] = useState("");
  const [labelsText, setLabelsText] = useState("");
  const [hours, setHours] = useState("1");
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const labels = parseLabelsText(labelsText);
    if (typeof labels === "string") {
      setProblem(`Labels: ${labels}.`);
      return;
    }
    const hasLabels = Object.keys(labels).length > 0;
    if ((pattern.trim() === "" && !hasLabels) || reason.trim() === "") {
      setProblem("Say which clients (a glob or labels) and why.");
      return;
    }
    setProblem(null);
    create.mutate(
      {
        selector: {
          ...(pattern.trim() === "" ? {} : { clientIdPattern: pattern.trim() }),
          ...(hasLabels ? { labels } : {}),
        },
        endsAt: new Date(Date.now() + Number(hours) * 3_600_000).toISOString(),
        reason: reason.trim(),
      },
      { onSuccess: () => setReason(""), onError: (e) => setProblem(e.message) },
    );
  };
  return (
    <form
      onSubmit={submit}
      aria-labelledby="new-silence-title"
      className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-800"
    >
      <h3 id="new-silence-title" className="text-sm font-semibold">
        New silence
      </h3>
      <div className="mt-2 flex flex-wrap items-end gap-3">
        <label className={fieldLabel}>
          Client IDs (glob)
          <input
            name="silence-pattern"
            value={pattern}
            onChange={(e) => setPattern(e.target.value)}
            className={`${field} h-9 font-mono`}
          />
        </label>
        <label className={fieldLabel}>
          Labels (key:value)
          <input
            name="silence-labels"
            value={labelsText}
            onChange={(e) => setLabelsText(e.target.value)}
            className={`${field} h-9 font-mono`}
          />
        </label>
        <label className={fieldLabel}>
          For (hours)
          <input
            name="silence-hours"
            type="number"
            min={0.25}
            step={0.25}
            max={720}
            value={hours}
            onChange={(e) => setHours(e.target.value)}
            className={`${field} h-9 w-24`}
          />
        </label>
        <label className={fieldLabel}>
          Reason
          <input
            name="silence-reason"
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            className={`${field} h-9 w-72`}
          />
        </label>
        <button type="submit" className={`${primaryButton} h-9`} disabled={create.isPending}>
          Mute
        </button>
      </div>
      <p role="status" className="mt-2 text-sm text-red-800 dark:text-red-300">
        {problem}
      </p>
    </form>
  );
}

/** Maintenance windows: what is muted, until when, by whom and why. */
export function SilencesPanel({ admin }: { admin: boolean }) {
  const silences = useSilencesQuery();
  const end = useEndSilence();
  return (
    <Panel title="Silences" id="alert-silences">
      {silences.error ? <ErrorBanner error={silences.error} /> : null}
      {(silences.data ?? []).length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">Nothing is muted.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th className={th}>Mutes</th>
                <th className={th}>Until</th>
                <th className={th}>By</th>
                <th className={th}>Reason</th>
                {admin ? <th className={th}>Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {(silences.data ?? []).map((s) => (
                <tr key={s.id} className="border-b border-slate-100 dark:border-slate-800/60">
                  <td className={`${td} font-mono text-[13px]`}>
                    {describeSelector(s.selector, `${s.ruleIds.length} rule(s)`)}
                  </td>
                  <td className={td}>
                    <LocalTime iso={s.endsAt} short /> {s.active ? "" : "(over)"}
                  </td>
                  <td className={td}>{s.author}</td>
                  <td className={td}>{s.reason}</td>
                  {admin ? (
                    <td className={td}>
                      {s.active ? (
                        <button
                          type="button"
                          className={smallButton}
                          onClick={() => end.mutate(s.id)}
                        >
                          End now
                        </button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {admin ? <SilenceForm /> : null}
    </Panel>
  );
}
