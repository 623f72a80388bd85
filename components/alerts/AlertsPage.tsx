"use client";

import { AlertList } from "./AlertList";
import { ChannelsPanel } from "./ChannelsPanel";
import { RulesPanel } from "./RulesPanel";
import { SilencesPanel } from "./SilencesPanel";

/** Alerts firing now and their history with deliveries; rules, channels and silences below. */
export function AlertsPage({ admin }: { admin: boolean }) {
  return (
    <main id="main" className="mx-auto max-w-7xl space-y-4 px-4 py-6 sm:px-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Alerts</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
          Notifications for devices that stay offline past the grace period, flap, fail to connect,
          or when too few of a group are online. Updated live.
        </p>
      </div>
      <AlertList state="firing" title="Firing now" empty="Nothing is firing." />
      <AlertList state="resolved" title="History" empty="No alert has resolved yet." />
      <RulesPanel admin={admin} />
      <ChannelsPanel admin={admin} />
      <SilencesPanel admin={admin} />
    </main>
  );
}
