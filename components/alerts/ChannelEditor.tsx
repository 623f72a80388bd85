"use client";

import { useState } from "react";
import { useCreateChannel, type ChannelInput } from "../hooks/use-alerts";
import { primaryButton } from "../ui/Dialog";
import { EditorForm } from "../ui/EditorForm";
import { SelectField, TextField } from "./EditorFields";

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

  const submit = () => {
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
    <EditorForm
      id="new-channel"
      title="New channel"
      onSubmit={submit}
      fields={
        <>
          <TextField
            label="Name"
            name="channel-name"
            required
            maxLength={200}
            value={name}
            onValue={setName}
          />
          <SelectField
            label="Type"
            name="channel-type"
            value={type}
            onValue={setType}
            options={TYPES}
          />
          {type !== "email" ? (
            <TextField
              label={type === "pagerduty" ? "Events API URL (optional)" : "URL"}
              name="channel-url"
              type="url"
              maxLength={2048}
              value={url}
              onValue={setUrl}
              className="w-80 font-mono"
            />
          ) : (
            <TextField
              label="Recipients (comma-separated)"
              name="channel-to"
              maxLength={2048}
              value={to}
              onValue={setTo}
              className="w-80"
            />
          )}
          {type === "webhook" || type === "pagerduty" ? (
            <TextField
              label={type === "pagerduty" ? "Routing key" : "Secret (empty: generated)"}
              name="channel-secret"
              type="password"
              autoComplete="off"
              maxLength={512}
              value={secret}
              onValue={setSecret}
              className="font-mono"
            />
          ) : null}
        </>
      }
    >
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
    </EditorForm>
  );
}
