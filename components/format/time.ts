// Times are shown in the operator's zone; the exact UTC instant is one hover away.

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
// To the second: a device's events are often seconds apart.
const shortDateTime = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayOnly = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  month: "short",
  day: "numeric",
});

export const formatDateTime = (ms: number) => dateTime.format(ms);
export const formatShortDateTime = (ms: number) => shortDateTime.format(ms);
export const formatTime = (ms: number) => timeOnly.format(ms);
export const formatDay = (ms: number) => dayOnly.format(ms);

/** The operator's time zone: "Europe/Berlin (GMT+1)", or "UTC". */
export function localZoneLabel(ms = Date.now()): string {
  const iana = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset = new Intl.DateTimeFormat(undefined, { timeZoneName: "shortOffset" })
    .formatToParts(ms)
    .find((p) => p.type === "timeZoneName")?.value;
  if (iana === "UTC" || iana === "Etc/UTC") return "UTC";
  return offset ? `${iana} (${offset})` : iana;
}

/** "2026-11-26 10:57:04.123 UTC": the hover text of every time. */
export function utcLabel(ms: number): string {
  return `${new Date(ms).toISOString().replace("T", " ").replace("Z", "")} UTC`;
}

/**
 * "3 min ago", "in 12 s": coarse on purpose, it re-renders only every few
 * seconds. `staleMs` is how old `now` may be (the tick): a time up to that far
 * past it is one that happened since the last tick, "0 s ago", not "in 2 s".
 */
export function relativeTime(ms: number, now: number, staleMs = 0): string {
  const ahead = ms - now;
  const diff = ahead > 0 && ahead <= staleMs ? 0 : Math.round((now - ms) / 1000);
  const abs = Math.abs(diff);
  const unit =
    abs < 60
      ? `${abs} s`
      : abs < 3600
        ? `${Math.floor(abs / 60)} min`
        : abs < 86_400
          ? `${Math.floor(abs / 3600)} h`
          : `${Math.floor(abs / 86_400)} d`;
  return diff >= 0 ? `${unit} ago` : `in ${unit}`;
}

/** 3725 → "1 h 2 min"; under a minute in seconds. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Value for <input type="datetime-local"> in the local zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** <input type="datetime-local"> value (local zone) → ms, or null when empty or invalid. */
export function fromLocalInput(value: string): number | null {
  if (value === "") return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}
