"use client";

import { useState, type FormEvent } from "react";
import { useCreateChannel, type ChannelInput } from "../hooks/use-alerts";
import { primaryButton } from "../ui/Dialog";
import { field, fieldLabel } from "../admin/styles";

const TYPES: Array<{ value: ChannelInput["type"]; label: string }> = [
  { value: "webhook", label: "Webhook (signed JSON)" },
  { value: "slack", label: "Slack incoming webhook" },
  { value: "pagerduty", label: "PagerDuty Events v2" },
  { value: "email", label: "Email (SMTP)" },
];

/** What the form checks before the server does. */
export function channelProblem(c: ChannelInput): string | null {
  if (c.name.trim() === "") return "Give the channel a name.";
  if ((c.type === "webhook" || c.type === "slack") && !c.url) return "Enter the URL to post to.";
  if (c.url && !/^https?:\/\//i.test(c.url)) return "The URL must start with http:// or https://.";
  if (c.type === "pagerduty" && !c.secret) return "Enter the PagerDuty routing key.";
  if (c.type === "email" && !c.to) return "Enter at least one recipient.";
  return null;
}

/** New channel; its secret is shown once, right after creation. */
export function ChannelEditor() {
  const create = useCreateChannel();
  const [name, setName] = useState("");
  const [type, setType] = useState<ChannelInput["type"]>("webhook");
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const [to, setTo] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [shownSecret, setShownSecret] = useState<string | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setShownSecret(null);
    const body: ChannelInput = {
      name: name.trim(),
      type,
      ...(url.trim() ? { url: url.trim() } : {}),
      ...(secret ? { secret } : {}),
      ...(type === "email" && to.trim() ? { to: to.trim() } : {}),
    };
    const local = channelProblem(body);
    setProblem(local);
    if (local !== null) return;
    create.mutate(body, {
      onSuccess: (c) => {
        setShownSecret(c.type === "webhook" && c.secret ? c.secret : null);
        setName("");
        setUrl("");
        setSecret("");
        setTo("");
      },
      onError: (e) => setProblem(e.message),
    });
  };

  return (
    <form
      onSubmit={submit}
      aria-labelledby="new-channel-title"
      className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-800"
    >
      <h3 id="new-channel-title" className="text-sm font-semibold">
        New channel
      </h3>
      <div className="mt-2 flex flex-wrap items-end gap-3">
        <label className={fieldLabel}>
          Name
          <input
            name="channel-name"
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
            className={`${field} h-9`}
          />
        </label>
        <label className={fieldLabel}>
          Type
          <select
            name="channel-type"
            value={type}
            onChange={(e) => setType(e.target.value as ChannelInput["type"])}
            className={`${field} h-9`}
          >
            {TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        {type !== "email" ? (
          <label className={fieldLabel}>
            {type === "pagerduty" ? "Events API URL (optional)" : "URL"}
            <input
              name="channel-url"
              type="url"
              maxLength={2048}
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              className={`${field} h-9 w-80 font-mono`}
            />
          </label>
        ) : (
          <label className={fieldLabel}>
            Recipients (comma-separated)
            <input
              name="channel-to"
              maxLength={2048}
              value={to}
              onChange={(e) => setTo(e.target.value)}
              className={`${field} h-9 w-80`}
            />
          </label>
        )}
        {type === "webhook" || type === "pagerduty" ? (
          <label className={fieldLabel}>
            {type === "pagerduty" ? "Routing key" : "Secret (empty: generated)"}
            <input
              name="channel-secret"
              type="password"
              autoComplete="off"
              maxLength={512}
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
              className={`${field} h-9 font-mono`}
            />
          </label>
        ) : null}
      </div>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <button type="submit" className={primaryButton} disabled={create.isPending}>
          Create channel
        </button>
        <p role="status" className="text-sm">
          {problem ? <span className="text-red-800 dark:text-red-300">{problem}</span> : null}
          {shownSecret ? (
            <span>
              Signing secret (shown once):{" "}
              <code className="rounded bg-slate-100 px-1 font-mono dark:bg-slate-800">
                {shownSecret}
              </code>
            </span>
          ) : null}
        </p>
      </div>
    </form>
  );
}
