"use client";

import { useState } from "react";
import { useCreateSilence, useEndSilence, useSilencesQuery } from "../hooks/use-alerts";
import { primaryButton } from "../ui/Dialog";
import { EditorForm } from "../ui/EditorForm";
import { TextField } from "./EditorFields";
import { LocalTime } from "../ui/LocalTime";
import { Panel } from "../ui/Panel";
import { smallButton, td } from "../admin/styles";
import { describeSelector, parseLabelsText } from "./selector-text";
import { SettingsTable } from "./SettingsTable";

function SilenceForm() {
  const create = useCreateSilence();
  const [pattern, setPattern] = useState("");
  const [labelsText, setLabelsText] = useState("");
  const [hours, setHours] = useState("1");
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const submit = () => {
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
    <EditorForm
      id="new-silence"
      title="New silence"
      onSubmit={submit}
      fields={
        <>
          <TextField
            label="Client IDs (glob)"
            name="silence-pattern"
            value={pattern}
            onValue={setPattern}
            className="font-mono"
          />
          <TextField
            label="Labels (key:value)"
            name="silence-labels"
            value={labelsText}
            onValue={setLabelsText}
            className="font-mono"
          />
          <TextField
            label="For (hours)"
            name="silence-hours"
            type="number"
            min={0.25}
            step={0.25}
            max={720}
            value={hours}
            onValue={setHours}
            className="w-24"
          />
          <TextField
            label="Reason"
            name="silence-reason"
            maxLength={500}
            value={reason}
            onValue={setReason}
            className="w-72"
          />
          <button type="submit" className={`${primaryButton} h-9`} disabled={create.isPending}>
            Mute
          </button>
        </>
      }
    >
      <p role="status" className="mt-2 text-sm text-red-800 dark:text-red-300">
        {problem}
      </p>
    </EditorForm>
  );
}

/** Maintenance windows: what is muted, until when, by whom and why. */
export function SilencesPanel({ admin }: { admin: boolean }) {
  const silences = useSilencesQuery();
  const end = useEndSilence();
  return (
    <Panel title="Silences" id="alert-silences">
      <SettingsTable
        query={silences}
        empty="Nothing is muted."
        columns={["Mutes", "Until", "By", "Reason"]}
        admin={admin}
        cells={(s) => (
          <>
            <td className={`${td} font-mono text-[13px]`}>
              {describeSelector(s.selector, `${s.ruleIds.length} rule(s)`)}
            </td>
            <td className={td}>
              <LocalTime iso={s.endsAt} short /> {s.active ? "" : "(over)"}
            </td>
            <td className={td}>{s.author}</td>
            <td className={td}>{s.reason}</td>
          </>
        )}
        actions={(s) => (
          <td className={td}>
            {s.active ? (
              <button type="button" className={smallButton} onClick={() => end.mutate(s.id)}>
                End now
              </button>
            ) : null}
          </td>
        )}
      />
      {admin ? <SilenceForm /> : null}
    </Panel>
  );
}
