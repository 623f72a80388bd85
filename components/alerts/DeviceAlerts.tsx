"use client";

import { useState } from "react";
import { useAlertsQuery, useCreateSilence } from "../hooks/use-alerts";
import { exactGlob } from "./glob-escape";
import { smallButton } from "../admin/styles";

/**
 * On a device page: its firing alerts at a glance, and (admins) a one-click
 * silence of this device for an hour (maintenance, a known reboot).
 */
export function DeviceAlerts({ clientId, admin }: { clientId: string; admin: boolean }) {
  const firing = useAlertsQuery({ state: "firing", clientId, limit: 20 });
  const mute = useCreateSilence();
  const [note, setNote] = useState<string | null>(null);
  const count = firing.data?.items.length ?? 0;
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm" data-testid="device-alerts">
      <span>
        {count === 0
          ? "No alert firing for this device."
          : `${count} alert${count === 1 ? "" : "s"} firing: ${firing.data?.items.map((a) => a.rule.name).join(", ")}`}
      </span>
      {admin ? (
        <button
          type="button"
          className={smallButton}
          disabled={mute.isPending}
          onClick={() =>
            mute.mutate(
              {
                selector: { clientIdPattern: exactGlob(clientId) },
                endsAt: new Date(Date.now() + 3_600_000).toISOString(),
                reason: `Muted from the device page for 1 h`,
              },
              {
                onSuccess: (s) =>
                  setNote(`Muted until ${new Date(s.endsAt).toLocaleTimeString()}.`),
                onError: (e) => setNote(e.message),
              },
            )
          }
        >
          Mute this device for 1 h
        </button>
      ) : null}
      <span role="status" className="text-xs text-slate-600 dark:text-slate-400">
        {note}
      </span>
    </div>
  );
}
