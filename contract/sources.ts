// Where a client's lifecycle events come from. Shared by the browser (the
// fleet filter, the badge) and the server (the `source=` query, ingest).

export const SOURCES = ["aws", "emqx", "azure"] as const;
export type Source = (typeof SOURCES)[number];

export function isSource(value: string | null | undefined): value is Source {
  return value !== null && value !== undefined && (SOURCES as readonly string[]).includes(value);
}

/** How the UI names each source. */
export const SOURCE_LABELS: Record<Source, string> = {
  aws: "AWS IoT",
  emqx: "EMQX",
  azure: "Azure IoT Hub",
};

/**
 * The source of a stored payload. Payloads mapped from another broker keep
 * the vendor's original under its name (`emqx`, `azure`); everything else is
 * AWS IoT's own lifecycle format.
 */
export function sourceOfPayload(payload: Readonly<Record<string, unknown>>): Source {
  const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObject(payload.azure)) return "azure";
  if (isObject(payload.emqx)) return "emqx";
  return "aws";
}
