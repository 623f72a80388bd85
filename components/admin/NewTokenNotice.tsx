"use client";

import { useEffect, useRef, useState } from "react";
import { primaryButton, secondaryButton } from "../ui/Dialog";
import { field } from "./styles";

/** Copies via the Clipboard API; where it is missing (plain HTTP off localhost) the selected text and execCommand. */
async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input?.select();
    return document.execCommand("copy");
  }
}

/**
 * The plaintext of a new token: the only time anyone sees it (the server
 * keeps a hash). It stays until the admin confirms they have it.
 */
export function NewTokenNotice({
  name,
  token,
  onDone,
  kind = "Ingest token",
  power = "post events",
}: {
  name: string;
  token: string;
  onDone: () => void;
  /** What the token is, for the field's label. */
  kind?: string;
  /** What a holder can do, for the warning. */
  power?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);
  return (
    <section
      aria-labelledby="new-token-title"
      data-testid="new-token"
      className="mt-4 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950/60 dark:text-amber-50"
    >
      <h3 id="new-token-title" className="font-semibold">
        Copy the token “{name}” now
      </h3>
      <p className="mt-1">
        <strong>It is shown only this once.</strong> The dashboard stores only a hash of it; if it
        is lost, revoke it and create another. Treat it like a password: anyone holding it can{" "}
        {power}.
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <input
          ref={input}
          readOnly
          value={token}
          aria-label={`${kind} “${name}”`}
          data-testid="new-token-value"
          onFocus={(e) => e.currentTarget.select()}
          className={`${field} min-w-0 flex-1 font-mono text-slate-900 dark:text-slate-100`}
        />
        <button
          type="button"
          onClick={() =>
            void copyText(token, input.current).then((ok) => setCopied(ok ? "yes" : "failed"))
          }
          className={primaryButton}
        >
          Copy
        </button>
        <button type="button" onClick={onDone} className={secondaryButton}>
          I have copied it
        </button>
      </div>
      <p role="status" className="mt-2 text-xs empty:hidden">
        {copied === "yes"
          ? "Copied to the clipboard."
          : copied === "failed"
            ? "Copying failed: select the text and copy it by hand."
            : null}
      </p>
    </section>
  );
}
