"use client";

import { useState, type FormEvent } from "react";
import { useChannelsQuery, useCreateRule, type RuleInput } from "../hooks/use-alerts";
import { primaryButton } from "../ui/Dialog";
import { field, fieldLabel } from "../admin/styles";
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

/** New rule: kind, which clients, timing or thresholds, and where to send. */
export function RuleEditor() {
  const channels = useChannelsQuery();
  const create = useCreateRule();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<RuleInput["kind"]>("client_offline");
  const [pattern, setPattern] = useState("");
  const [labelsText, setLabelsText] = useState("");
  const [forSeconds, setForSeconds] = useState("60");
  const [threshold, setThreshold] = useState("");
  const [share, setShare] = useState("");
  const [windowSeconds, setWindowSeconds] = useState("");
  const [channelIds, setChannelIds] = useState<string[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDone(null);
    const shareValue = numberOrNull(share);
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
      forSeconds: kind === "client_offline" ? Number(forSeconds || "0") : 0,
      threshold: numberOrNull(threshold),
      thresholdShare: shareValue === null ? null : shareValue / 100,
      windowSeconds: numberOrNull(windowSeconds),
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
    <form
      onSubmit={submit}
      aria-labelledby="new-rule-title"
      className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-800"
    >
      <h3 id="new-rule-title" className="text-sm font-semibold">
        New rule
      </h3>
      <div className="mt-2 flex flex-wrap items-end gap-3">
        <label className={fieldLabel}>
          Name
          <input
            name="rule-name"
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
            className={`${field} h-9`}
          />
        </label>
        <label className={fieldLabel}>
          Kind
          <select
            name="rule-kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as RuleInput["kind"])}
            className={`${field} h-9`}
          >
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <label className={fieldLabel}>
          Client IDs (glob, * and ?)
          <input
            name="rule-pattern"
            placeholder="all clients"
            maxLength={256}
            value={pattern}
            onChange={(e) => setPattern(e.target.value)}
            className={`${field} h-9 font-mono`}
          />
        </label>
        <label className={fieldLabel}>
          Labels (key:value, all must match)
          <input
            name="rule-labels"
            placeholder="any labels"
            maxLength={2048}
            value={labelsText}
            onChange={(e) => setLabelsText(e.target.value)}
            className={`${field} h-9 font-mono`}
          />
        </label>
        {kind === "client_offline" ? (
          <label className={fieldLabel}>
            For (seconds after grace)
            <input
              name="rule-for"
              type="number"
              min={0}
              max={2592000}
              value={forSeconds}
              onChange={(e) => setForSeconds(e.target.value)}
              className={`${field} h-9 w-32`}
            />
          </label>
        ) : null}
        {kind !== "client_offline" && kind !== "incident" ? (
          <label className={fieldLabel}>
            {kind === "fleet_online_below"
              ? "Minimum online"
              : kind === "connect_failed"
                ? "Failed attempts"
                : "Disconnects (default 5)"}
            <input
              name="rule-threshold"
              type="number"
              min={1}
              value={threshold}
              onChange={(e) => setThreshold(e.target.value)}
              className={`${field} h-9 w-32`}
            />
          </label>
        ) : null}
        {kind === "fleet_online_below" ? (
          <label className={fieldLabel}>
            or minimum share (%)
            <input
              name="rule-share"
              type="number"
              min={1}
              max={100}
              value={share}
              onChange={(e) => setShare(e.target.value)}
              className={`${field} h-9 w-28`}
            />
          </label>
        ) : null}
        {kind === "connect_failed" || kind === "client_flapping" ? (
          <label className={fieldLabel}>
            Window (seconds)
            <input
              name="rule-window"
              type="number"
              min={1}
              value={windowSeconds}
              onChange={(e) => setWindowSeconds(e.target.value)}
              className={`${field} h-9 w-32`}
            />
          </label>
        ) : null}
      </div>
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
    </form>
  );
}
