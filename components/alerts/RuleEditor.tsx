"use client";

import { useState } from "react";
import { useChannelsQuery, useCreateRule, type RuleInput } from "../hooks/use-alerts";
import { primaryButton } from "../ui/Dialog";
import { EditorForm } from "../ui/EditorForm";
import { SelectField, TextField } from "./EditorFields";
import { parseLabelsText } from "./selector-text";

const KINDS: Array<{ value: RuleInput["kind"]; label: string }> = [
  { value: "client_offline", label: "Device offline (after grace + for)" },
  { value: "client_flapping", label: "Device flapping" },
  { value: "connect_failed", label: "Connection attempts failing" },
  { value: "fleet_online_below", label: "Too few online" },
  { value: "incident", label: "An incident opens" },
];

/** What the form knows before the server checks it: the fields each kind needs. */
export function ruleProblem(r: RuleInput): string | null {
  if (r.name.trim() === "") return "Give the rule a name.";
  if (r.kind === "connect_failed" && (r.threshold === null || r.windowSeconds === null))
    return "A connect_failed rule needs a threshold and a window.";
  if (r.kind === "fleet_online_below" && r.threshold === null && r.thresholdShare === null)
    return "Give a minimum count or share of online clients.";
  return null;
}

const numberOrNull = (s: string) => (s.trim() === "" ? null : Number(s));

type Kind = RuleInput["kind"];
type NumberKey = "forSeconds" | "threshold" | "share" | "windowSeconds";

/** The number fields, each shown for the kinds that use it. */
const NUMBER_FIELDS: ReadonlyArray<{
  key: NumberKey;
  name: string;
  label: (kind: Kind) => string;
  shows: (kind: Kind) => boolean;
  min: number;
  max?: number;
  width: string;
}> = [
  {
    key: "forSeconds",
    name: "rule-for",
    label: () => "For (seconds after grace)",
    shows: (kind) => kind === "client_offline",
    min: 0,
    max: 2592000,
    width: "w-32",
  },
  {
    key: "threshold",
    name: "rule-threshold",
    label: (kind) =>
      kind === "fleet_online_below"
        ? "Minimum online"
        : kind === "connect_failed"
          ? "Failed attempts"
          : "Disconnects (default 5)",
    shows: (kind) => kind !== "client_offline" && kind !== "incident",
    min: 1,
    width: "w-32",
  },
  {
    key: "share",
    name: "rule-share",
    label: () => "or minimum share (%)",
    shows: (kind) => kind === "fleet_online_below",
    min: 1,
    max: 100,
    width: "w-28",
  },
  {
    key: "windowSeconds",
    name: "rule-window",
    label: () => "Window (seconds)",
    shows: (kind) => kind === "connect_failed" || kind === "client_flapping",
    min: 1,
    width: "w-32",
  },
];

/** New rule: kind, which clients, timing or thresholds, and where to send. */
export function RuleEditor() {
  const channels = useChannelsQuery();
  const create = useCreateRule();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<Kind>("client_offline");
  const [pattern, setPattern] = useState("");
  const [labelsText, setLabelsText] = useState("");
  const [numbers, setNumbers] = useState<Record<NumberKey, string>>({
    forSeconds: "60",
    threshold: "",
    share: "",
    windowSeconds: "",
  });
  const [channelIds, setChannelIds] = useState<string[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const submit = () => {
    setDone(null);
    const shareValue = numberOrNull(numbers.share);
    const labels = parseLabelsText(labelsText);
    if (typeof labels === "string") {
      setProblem(`Labels: ${labels}.`);
      return;
    }
    const rule: RuleInput = {
      name,
      kind,
      selector: {
        ...(pattern.trim() === "" ? {} : { clientIdPattern: pattern.trim() }),
        ...(Object.keys(labels).length === 0 ? {} : { labels }),
      },
      forSeconds: kind === "client_offline" ? Number(numbers.forSeconds || "0") : 0,
      threshold: numberOrNull(numbers.threshold),
      thresholdShare: shareValue === null ? null : shareValue / 100,
      windowSeconds: numberOrNull(numbers.windowSeconds),
      channelIds,
      enabled: true,
    };
    const local = ruleProblem(rule);
    setProblem(local);
    if (local !== null) return;
    create.mutate(rule, {
      onSuccess: (r) => {
        setDone(`Rule “${r.name}” created.`);
        setName("");
        setPattern("");
        setLabelsText("");
      },
      onError: (e) => setProblem(e.message),
    });
  };

  return (
    <EditorForm
      id="new-rule"
      title="New rule"
      onSubmit={submit}
      fields={
        <>
          <TextField
            label="Name"
            name="rule-name"
            required
            maxLength={200}
            value={name}
            onValue={setName}
          />
          <SelectField
            label="Kind"
            name="rule-kind"
            value={kind}
            onValue={setKind}
            options={KINDS}
          />
          <TextField
            label="Client IDs (glob, * and ?)"
            name="rule-pattern"
            placeholder="all clients"
            maxLength={256}
            value={pattern}
            onValue={setPattern}
            className="font-mono"
          />
          <TextField
            label="Labels (key:value, all must match)"
            name="rule-labels"
            placeholder="any labels"
            maxLength={2048}
            value={labelsText}
            onValue={setLabelsText}
            className="font-mono"
          />
          {NUMBER_FIELDS.filter((f) => f.shows(kind)).map((f) => (
            <TextField
              key={f.name}
              label={f.label(kind)}
              name={f.name}
              type="number"
              min={f.min}
              max={f.max}
              value={numbers[f.key]}
              onValue={(value) => setNumbers((n) => ({ ...n, [f.key]: value }))}
              className={f.width}
            />
          ))}
        </>
      }
    >
      <fieldset className="mt-3">
        <legend className="text-xs font-medium text-slate-700 dark:text-slate-300">Send to</legend>
        {(channels.data ?? []).length === 0 ? (
          <p className="text-xs text-slate-600 dark:text-slate-400">
            No channel yet: add one below (alerts are still recorded).
          </p>
        ) : (
          <div className="mt-1 flex flex-wrap gap-3">
            {(channels.data ?? []).map((c) => (
              <label key={c.id} className="flex items-center gap-1 text-sm">
                <input
                  type="checkbox"
                  checked={channelIds.includes(c.id)}
                  onChange={(e) =>
                    setChannelIds((ids) =>
                      e.target.checked ? [...ids, c.id] : ids.filter((i) => i !== c.id),
                    )
                  }
                />
                {c.name}{" "}
                <span className="text-xs text-slate-600 dark:text-slate-400">({c.type})</span>
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <div className="mt-3 flex items-center gap-3">
        <button type="submit" className={primaryButton} disabled={create.isPending}>
          Create rule
        </button>
        <p role="status" className="text-sm">
          {problem ? <span className="text-red-800 dark:text-red-300">{problem}</span> : done}
        </p>
      </div>
    </EditorForm>
  );
}
