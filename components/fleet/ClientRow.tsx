"use client";

import Link from "next/link";
import { clientIdSegment } from "@/contract/client-id-segment";
import { useRouter } from "next/navigation";
import { memo, useEffect, useRef, useState, type MouseEvent } from "react";
import type { ClientView } from "@/lib/clients/schemas";
import { reasonInWords } from "../format/disconnect-reason";
import { SourceBadge } from "../SourceBadge";
import { FlappingBadge, StatusBadge } from "../StatusBadge";
import { LocalTime, RelativeTime } from "../ui/LocalTime";

export const ROW_HEIGHT = 44;

/** One template for the header and every row; columns appear as the window widens. */
export const GRID =
  "grid-cols-[6.5rem_minmax(11rem,2fr)_6.5rem_7rem_minmax(9rem,1.3fr)_5.5rem_4.5rem] " +
  "lg:grid-cols-[6.5rem_minmax(12rem,2fr)_6.5rem_7rem_9.5rem_minmax(9rem,1.3fr)_5.5rem_4.5rem] " +
  "xl:grid-cols-[6.5rem_minmax(13rem,2fr)_6.5rem_7rem_9.5rem_9.5rem_minmax(10rem,1.3fr)_5.5rem_4.5rem]";

const FLASH_MS = 1_600;

/** True for a moment after `signature` changes (not on first render: scrolling must not flash). */
function useFlash(signature: string): boolean {
  const previous = useRef(signature);
  const [flashing, setFlashing] = useState(false);
  useEffect(() => {
    if (previous.current === signature) return;
    previous.current = signature;
    setFlashing(true);
    const timer = setTimeout(() => setFlashing(false), FLASH_MS);
    return () => clearTimeout(timer);
  }, [signature]);
  return flashing;
}

export function devicePath(clientId: string): string {
  return `/clients/${clientIdSegment(clientId)}`;
}

const cell = "truncate px-3";

function ClientRowImpl({ client, index, top }: { client: ClientView; index: number; top: number }) {
  const router = useRouter();
  const flashing = useFlash(
    `${client.status}|${client.lastEventAt}|${client.flapping}|${client.subscriptionCount}|${JSON.stringify(client.labels)}`,
  );
  const href = devicePath(client.clientId);
  const reason = reasonInWords(client.disconnectReason);
  // The whole row is a target for the mouse; the link is the one for keyboards and screen readers.
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).closest("a") || window.getSelection()?.toString()) return;
    router.push(href);
  };
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      data-row-index={index}
      data-client-id={client.clientId}
      data-status={client.status}
      onClick={onClick}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      className={`absolute left-0 top-0 grid w-full cursor-pointer items-center border-b border-slate-100 text-sm hover:bg-sky-50 focus-within:bg-sky-50 dark:border-slate-800/70 dark:hover:bg-slate-800/60 dark:focus-within:bg-slate-800/60 ${GRID} ${flashing ? "row-flash" : ""}`}
    >
      <div role="cell" className="px-3">
        <StatusBadge status={client.status} />
      </div>
      <div role="cell" className={`${cell} font-mono text-[13px]`}>
        <Link
          href={href}
          prefetch={false}
          title={client.clientId}
          className="rounded text-sky-800 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:text-sky-300"
        >
          {client.clientId}
        </Link>
        <span className="ml-1.5">
          <SourceBadge source={client.source} />
        </span>
        {Object.entries(client.labels).map(([key, value]) => (
          <span
            key={key}
            className="ml-1.5 rounded bg-slate-100 px-1 py-0.5 font-sans text-[11px] text-slate-700 dark:bg-slate-800 dark:text-slate-200"
          >
            {key}: {value}
          </span>
        ))}
      </div>
      <div role="cell" className={`${cell} text-slate-700 dark:text-slate-300`}>
        <RelativeTime iso={client.since} />
      </div>
      <div role="cell" className={`${cell} text-slate-700 dark:text-slate-300`}>
        <RelativeTime iso={client.lastEventAt} />
      </div>
      <div role="cell" className={`${cell} hidden text-slate-700 xl:block dark:text-slate-300`}>
        <LocalTime iso={client.lastConnectedAt} short />
      </div>
      <div role="cell" className={`${cell} hidden text-slate-700 lg:block dark:text-slate-300`}>
        <LocalTime iso={client.lastDisconnectedAt} short />
      </div>
      <div role="cell" className={cell} title={client.disconnectReason ?? undefined}>
        {reason ?? <span className="text-slate-400 dark:text-slate-500">—</span>}
        {client.clientInitiatedDisconnect &&
        client.disconnectReason !== "CLIENT_INITIATED_DISCONNECT" ? (
          <span className="ml-1 text-xs text-slate-600 dark:text-slate-400">(by client)</span>
        ) : null}
      </div>

      <div role="cell" className="px-3">
        {client.flapping ? <FlappingBadge /> : <span className="sr-only">no</span>}
      </div>
      <div role="cell" className="px-3 text-right tabular-nums text-slate-700 dark:text-slate-300">
        {client.subscriptionCount}
      </div>
    </div>
  );
}

/** Re-renders only when its client object changes (the stream replaces objects it patches). */
export const ClientRow = memo(ClientRowImpl);
